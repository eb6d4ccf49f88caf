import { expect, test } from 'bun:test';
import { TestClient } from '../support/ws-client';

test('a flood of malformed frames cannot multiply into the log: bytes written stay bounded', async () => {
  const proc = Bun.spawn([process.execPath, 'test/fixtures/node-process.ts'], { stdout: 'pipe', stderr: 'pipe' });
  let logged = 0;
  let text = '';
  let onPort!: (port: number) => void;
  const portReady = new Promise<number>(resolve => (onPort = resolve));
  const count = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      logged += chunk.byteLength;
      text += new TextDecoder().decode(chunk);
      const match = /PORT (\d+)/.exec(text);
      if (match) onPort(Number(match[1]));
    }
  };
  const drained = Promise.all([count(proc.stdout as ReadableStream<Uint8Array>), count(proc.stderr as ReadableStream<Uint8Array>)]);
  try {
    const port = await portReady;
    const flooder = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    const baseline = logged;
    const kinds = ['{bad json', 'null', '[1]', '{"event":5}', '{"event":"x","id":1}', '{"event":"join","data":{"rooms":7}}', '{"event":"nope"}'];
    const frames = 21_000;
    for (let i = 0; i < frames; i++) flooder.sendRaw(kinds[i % kinds.length]!);
    flooder.sendRaw(new Uint8Array([1, 2, 3]));
    // Every frame is answered in order, so the last answer proves the whole flood was handled.
    await flooder.next('error', f => f.data.code === 'BINARY_NOT_SUPPORTED', 20_000);
    expect(flooder.all('error').length).toBe(frames + 1);
    const floodBytes = logged - baseline;
    console.log(`[figures] malformed flood: ${frames + 1} frames answered, ${floodBytes} log bytes written`);
    // One line per kind per 10 s window at most: a few hundred bytes a kind, not one line a frame.
    expect(floodBytes).toBeLessThan(kinds.length * 400);
    await flooder.close();
  } finally {
    proc.kill('SIGTERM');
    await proc.exited;
    await drained;
  }
}, 30_000);
