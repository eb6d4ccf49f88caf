/**
 * What a node writes about its connections, read from the log of a real node in a child process:
 * a `connect`, an `auth-failed` (with its reason, never the credentials) and a `disconnect`
 * (with the close code) line, in text and in JSON (`logFormat`), through the per-kind throttle;
 * and the start-up line saying where the socket is served and by which broker.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { startProcessNode, type IProcessNode } from '../support/node-process';

const SECRET = 'secret-token-7c1f9d';

let node: IProcessNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

interface IRawSocket {
  ws: WebSocket;
  /** The first frame of `event`. */
  next(event: string): Promise<{ event: string; data: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A plain WebSocket that authenticates with `token` and records frames; never sleeps. */
const openSocket = async (port: number, token: string): Promise<IRawSocket> => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: { event: string; data: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener('message', ev => {
    frames.push(JSON.parse(String(ev.data)));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>(resolve => ws.addEventListener('close', ev => resolve({ code: ev.code, reason: ev.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('socket failed to open')));
  });
  ws.send(JSON.stringify({ event: 'authenticate', data: { type: 'Bearer', token } }));
  const next = async (event: string) => {
    for (;;) {
      const frame = frames.find(f => f.event === event);
      if (frame) return frame;
      await new Promise<void>(resolve => waiters.push(resolve));
    }
  };
  return { ws, next, closed };
};

/** The JSON lines of an output, parsed (other lines skipped). */
const jsonLines = (output: string): Record<string, unknown>[] =>
  output
    .split('\n')
    .filter(line => line.startsWith('{'))
    .map(line => JSON.parse(line) as Record<string, unknown>);

describe('connection logs', () => {
  test('text: connect, auth failure (reason, no token) and disconnect (close code) lines; the start-up line names url and broker', async () => {
    node = await startProcessNode();
    const ready = await node.waitForLine(/WebSocket server ready \| (.*)$/);
    expect(ready[1]).toMatch(new RegExp(`^url: ws://127\\.0\\.0\\.1:${node.port}/ws \\| path: /ws \\| broker: memory \\| node: [0-9a-f-]{36}$`));

    const alice = await openSocket(node.port, 'user:alice');
    const id = String((await alice.next('connected')).data.id);
    const connect = await node.waitForLine(/\[connect\] client connected \| (.*)$/);
    expect(connect[1]).toMatch(new RegExp(`^clientId: ${id} \\| userId: alice \\| ip: 127\\.0\\.0\\.1 \\| encrypted: false \\| authMs: \\d+$`));

    alice.ws.close(3001, 'tab closed');
    await alice.closed;
    const disconnect = await node.waitForLine(/\[disconnect\] client disconnected \| (.*)$/);
    expect(disconnect[1]).toMatch(
      new RegExp(`^clientId: ${id} \\| userId: alice \\| ip: 127\\.0\\.0\\.1 \\| code: 3001 \\| reason: tab closed \\| authenticated: true \\| durationMs: \\d+$`),
    );

    const intruder = await openSocket(node.port, SECRET);
    const refused = (await intruder.next('error')).data;
    expect(refused.code).toBe('AUTH_FAILED');
    expect((await intruder.closed).code).toBe(4003);
    const failed = await node.waitForLine(/\[auth-failed\] authentication failed \| (.*)$/);
    expect(failed[1]).toMatch(
      /^clientId: [0-9a-f-]{36} \| ip: 127\.0\.0\.1 \| reason: authenticateFn rejected the credentials \| code: 4003 \| errorCode: AUTH_FAILED$/,
    );

    await node.loggedSoFar();
    expect(node.output()).not.toContain(SECRET);
    // Its disconnect came within the 10 s window of alice's: counted, not written.
    expect(node.output().match(/\[disconnect\]/g)).toHaveLength(1);
  }, 30_000);

  test('json: one JSON object per line, the fields as keys (start-up, connect, auth-failed, disconnect), never the token', async () => {
    node = await startProcessNode({ LOG_FORMAT: 'json' });
    await node.waitForLine(/"message":"\[WebSocketServerHelper-test-node\] WebSocket server ready"/);
    const intruder = await openSocket(node.port, SECRET);
    expect((await intruder.closed).code).toBe(4003);
    await node.waitForLine(/"event":"disconnect"/);
    const bob = await openSocket(node.port, 'user:bob');
    const id = String((await bob.next('connected')).data.id);
    await node.waitForLine(/"event":"connect"/);
    await node.loggedSoFar();

    const lines = jsonLines(node.output());
    const ready = lines.find(line => String(line.message).endsWith('WebSocket server ready'));
    expect(ready).toMatchObject({ level: 'info', url: `ws://127.0.0.1:${node.port}/ws`, path: '/ws', broker: 'memory', node: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(lines.find(line => line.event === 'auth-failed')).toMatchObject({
      level: 'info',
      message: '[WebSocketServerHelper-test-node] [auth-failed] authentication failed',
      ip: '127.0.0.1',
      reason: 'authenticateFn rejected the credentials',
      code: 4003,
      errorCode: 'AUTH_FAILED',
    });
    expect(lines.find(line => line.event === 'disconnect')).toMatchObject({ code: 4003, reason: 'Authentication failed', authenticated: false });
    expect(lines.find(line => line.event === 'connect')).toMatchObject({ clientId: id, userId: 'bob', ip: '127.0.0.1', encrypted: false });
    expect(node.output()).not.toContain(SECRET);
    bob.ws.close();
  }, 30_000);

  test('a close reason the client chose cannot forge a line: control characters arrive escaped', async () => {
    node = await startProcessNode();
    const mallory = await openSocket(node.port, 'user:mallory');
    await mallory.next('connected');
    mallory.ws.close(3002, 'bye\nFORGED admin logged in\u2028');
    await mallory.closed;
    const line = await node.waitForLine(/\[disconnect\] client disconnected \| .*$/);
    expect(line[0]).toContain('reason: bye\\nFORGED admin logged in\\u2028 |');
    await node.loggedSoFar();
    expect(node.output().split('\n').filter(l => l.startsWith('FORGED'))).toEqual([]);
    expect(node.output()).not.toContain('\u2028');
  }, 30_000);
});
