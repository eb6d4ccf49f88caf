/**
 * The encrypted example: its one command (`bun examples/encrypted/client.ts`) runs end to end,
 * nothing after `connected` travels in the clear, and a client without encryption is turned away.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketClient, WebSocketClientError } from '../../src/client';
import { runEncryptedClient } from '../../examples/encrypted/client';
import { startEncryptedServer } from '../../examples/encrypted/server';
import { spawnBun } from '../support/child-process';

describe('encrypted example, in-process', () => {
  let server: Awaited<ReturnType<typeof startEncryptedServer>>;
  beforeAll(async () => {
    server = await startEncryptedServer({ port: 0 });
  });
  afterAll(async () => {
    await server?.stop();
  }, 20_000);

  test('the client decrypts the welcome and the reply; the wire carries only ciphertext after connected', async () => {
    const run = await runEncryptedClient(server.url, 'ada');
    expect(run.connected.userId).toBe('ada');
    expect(run.welcome).toEqual({ text: 'hello ada, only you can read this' });
    expect(run.reply.text).toBe('ATTACK AT DAWN');

    const frames = run.wire.map(raw => JSON.parse(raw) as { event: string; data: Record<string, unknown> });
    expect(frames[0]!.event).toBe('connected');
    expect(typeof frames[0]!.data.serverPublicKey).toBe('string');
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const frame of frames.slice(1)) expect(Object.keys(frame.data).sort()).toEqual(['ciphertext', 'iv', 'seq']);
    expect(frames.slice(1).map(frame => frame.data.seq)).toEqual(frames.slice(1).map((_, i) => i + 1));
    const wire = run.wire.join('\n');
    for (const secret of ['only you can read this', 'ATTACK', 'welcome', 'echo:reply']) expect(wire).not.toContain(secret);
  }, 20_000);

  test('a client that does not encrypt is refused with 4004 and does not retry', async () => {
    const { token } = (await (await fetch(`${server.url}/demo-token`, { method: 'POST', body: '{"userId":"eve"}' })).json()) as { token: string };
    const client = new WebSocketClient({ url: `${server.url.replace('http', 'ws')}/ws`, auth: () => ({ type: 'Bearer', token }) });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebSocketClientError);
    expect((error as WebSocketClientError).closeCode).toBe(4004);
    client.close();
  }, 20_000);

  test('a token the app did not sign is refused with 4003', async () => {
    const client = new WebSocketClient({
      url: `${server.url.replace('http', 'ws')}/ws`,
      auth: () => ({ type: 'Bearer', token: 'not-a-jwt' }),
      encryption: true,
    });
    const error = (await client.connect().catch((e: unknown) => e)) as WebSocketClientError;
    expect(error.closeCode).toBe(4003);
    client.close();
  }, 20_000);
});

test('the README command: `bun examples/encrypted/client.ts` starts its own server, prints the decrypted messages, exits 0', async () => {
  const child = spawnBun(['examples/encrypted/client.ts', 'ada']);
  const code = await child.exitWithin(25_000);
  expect(code, child.output()).toBe(0);
  expect(child.output()).toContain('decrypted: welcome {"text":"hello ada, only you can read this"}');
  expect(child.output()).toContain('"text":"ATTACK AT DAWN"');
  expect(child.output()).toMatch(/wire {2}<- \{"event":"encrypted","data":\{"iv":/);
}, 30_000);
