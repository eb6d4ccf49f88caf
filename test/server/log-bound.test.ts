import { expect, test } from 'bun:test';
import { startProcessNode } from '../support/node-process';
import { TestClient } from '../support/ws-client';

test('a flood of malformed frames cannot multiply into the log: bytes written stay bounded', async () => {
  const node = await startProcessNode({ RATE_LIMIT: 'off' });
  try {
    const flooder = await TestClient.connect(`ws://127.0.0.1:${node.port}/ws`);
    const baseline = node.logged();
    const kinds = ['{bad json', 'null', '[1]', '{"event":5}', '{"event":"x","id":1}', '{"event":"join","data":{"rooms":7}}', '{"event":"leave","data":[]}'];
    const frames = 21_000;
    for (let i = 0; i < frames; i++) flooder.sendRaw(kinds[i % kinds.length]!);
    flooder.sendRaw(new Uint8Array([1, 2, 3]));
    // Every frame is answered in order, so the last answer proves the whole flood was handled.
    await flooder.next('error', f => f.data.code === 'BINARY_NOT_SUPPORTED', 20_000);
    expect(flooder.all('error').length).toBe(frames + 1);
    const floodBytes = node.logged() - baseline;
    console.log(`[figures] malformed flood: ${frames + 1} frames answered, ${floodBytes} log bytes written`);
    // One line per kind per 10 s window at most: a few hundred bytes a kind, not one line a frame.
    expect(floodBytes).toBeLessThan(kinds.length * 400);
    await flooder.close();
  } finally {
    await node.stop();
  }
}, 30_000);
