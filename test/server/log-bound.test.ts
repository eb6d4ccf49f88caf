import { expect, test } from 'bun:test';
import { WebSocketErrorCodes } from '../../src';
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

test('client text is escaped in the log: an event name with a newline cannot forge a line when its handler throws', async () => {
  const node = await startProcessNode({ THROWING_HANDLER: 'on' });
  try {
    const client = await TestClient.connect(`ws://127.0.0.1:${node.port}/ws`);
    client.send({ event: 'x\nFORGED admin logged in\u2028FORGED again', data: {} });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.HANDLER_ERROR);
    await node.loggedSoFar();
    const lines = node.output().split('\n');
    // The router's line names the event and the error quotes it: both escaped, on the line they belong to.
    expect(lines.filter(line => line.includes('FORGED') && !/^\d{4}-\d\d-\d\dT/.test(line))).toEqual([]);
    expect(lines.filter(line => line.includes('x\\nFORGED admin logged in\\u2028FORGED again')).length).toBeGreaterThanOrEqual(1);
    expect(node.output()).not.toContain('\u2028');
    await client.close();
  } finally {
    await node.stop();
  }
}, 30_000);
