/**
 * `helper.cluster` and `send({ destination: { userId } })` beyond what the cross-node suite
 * covers on every backend: what they refuse before anything leaves the node, the local counts,
 * and what a kick (4007) means to the client library. In-process broker, real Bun servers and
 * real WebSocket clients.
 */
import { afterEach, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketEmitter } from '../../src';
import { WebSocketClient, WebSocketClientConnectionStates } from '../../src/client';
import { nextEvent } from '../support/client-events';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

const nodes: ITestNode[] = [];
const clients: TestClient[] = [];
const libraryClients: WebSocketClient<any, any>[] = [];
afterEach(async () => {
  for (const c of libraryClients.splice(0)) c.close();
  for (const c of clients.splice(0)) await c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

const node = async () => {
  const n = await startNode();
  nodes.push(n);
  return n;
};
const connect = async (n: ITestNode, token = 'ok') => {
  const c = await TestClient.connect(n.url, { token });
  clients.push(c);
  return c;
};

test('an invalid disconnect target, code or reason throws with what to change, and closes nothing', async () => {
  const a = await node();
  const watcher = await node();
  const member = await connect(a, 'user:judy');
  const remote = await connect(watcher, 'user:judy');
  const bad = [
    {},
    { clientId: member.id, userId: 'judy' },
    { userId: '' },
    { userId: 'judy', code: 1001 },
    { userId: 'judy', code: 1006 },
    { userId: 'judy', code: 2999 },
    { userId: 'judy', code: 5000 },
    { userId: 'judy', reason: 'x'.repeat(124) },
  ];
  for (const opts of bad) {
    expect(() => a.helper.cluster.disconnect(opts as Parameters<typeof a.helper.cluster.disconnect>[0])).toThrow('Pass { clientId } or { userId }');
  }
  // Both sessions still receive a message sent after every refusal, so no command went out.
  a.helper.cluster.sendToUser({ userId: 'judy', event: 'still-here', data: 1 });
  await member.next('still-here');
  await remote.next('still-here');
  expect([member.readyState, remote.readyState]).toEqual([1, 1]);
});

test('cluster sends and send({ destination: { userId } }) refuse protocol events and malformed user targets before delivering anything', async () => {
  const a = await node();
  const member = await connect(a, 'user:kim');
  const calls: (() => void)[] = [
    () => a.helper.cluster.sendToUser({ userId: 'kim', event: 'connected', data: 1 }),
    () => a.helper.cluster.sendToClient({ clientId: member.id, event: 'error', data: 1 }),
    () => a.helper.cluster.sendToRoom({ room: 'ws-default', event: 'joined', data: 1 }),
    () => a.helper.cluster.broadcast({ event: 'ping:reply', data: 1 }),
    () => a.helper.send({ destination: { userId: 'kim' }, payload: { topic: 'encrypted', data: 1 } }),
  ];
  for (const call of calls) expect(call).toThrow('is a protocol event and cannot be sent to clients');
  expect(() => a.helper.send({ destination: { userId: '' }, payload: { topic: 'x', data: 1 } })).toThrow('{ userId:');
  a.helper.send({ destination: { userId: 'kim' }, payload: { topic: 'after', data: 1 } });
  await member.next('after');
  expect(member.frames.map(f => f.event)).toEqual(['connected', 'after']);
});

test("getRoomSize and getUserConnections count this node's sockets only", async () => {
  const a = await node();
  const b = await node();
  const [a1, a2] = [await connect(a, 'user:lee'), await connect(a, 'user:lee')];
  await connect(b, 'user:lee');
  await a1.request('join', { rooms: ['counted'] }, 'joined');
  await a2.request('join', { rooms: ['counted'] }, 'joined');
  expect(a.helper.getRoomSize({ room: 'counted' })).toBe(2);
  expect(a.helper.getRoomSize({ room: 'ws-default' })).toBe(2);
  expect(b.helper.getRoomSize({ room: 'ws-default' })).toBe(1);
  expect(a.helper.getRoomSize({ room: a1.id })).toBe(1); // its own id room
  expect(b.helper.getRoomSize({ room: a1.id })).toBe(0);
  expect(a.helper.getRoomSize({ room: 'nobody-here' })).toBe(0);
  expect(a.helper.getUserConnections({ userId: 'lee' })).toBe(2);
  expect(b.helper.getUserConnections({ userId: 'lee' })).toBe(1);
  expect(a.helper.getUserConnections({ userId: 'nobody' })).toBe(0);
  await a1.request('leave', { rooms: ['counted'] }, 'left');
  expect(a.helper.getRoomSize({ room: 'counted' })).toBe(1);
  await a2.request('leave', { rooms: ['counted'] }, 'left');
  expect(a.helper.getRoomSize({ room: 'counted' })).toBe(0);
});

test('the client library does not reconnect after a kick (4007), and does after an app code it does not know', async () => {
  const a = await node();
  const b = await node();
  const make = () => {
    const c = new WebSocketClient({ url: b.url, auth: () => ({ token: 'user:mia' }), reconnect: { initialDelayMs: 5, maxDelayMs: 10 } });
    libraryClients.push(c);
    return c;
  };
  const moved = make();
  const { id } = await moved.connect();
  const dropped = nextEvent(moved, 'disconnected');
  const reconnected = nextEvent(moved, 'reconnected');
  a.helper.cluster.disconnect({ clientId: id, code: 4100, reason: 'moved' });
  expect(await dropped).toEqual({ code: 4100, reason: 'moved', willReconnect: true });
  await reconnected;

  const kicked = make();
  await kicked.connect();
  const gone = nextEvent(kicked, 'disconnected');
  const worker = new WebSocketEmitter({ identifier: 'kicker' });
  await worker.disconnect({ userId: 'mia', reason: 'banned' });
  await worker.shutdown();
  expect(await gone).toEqual({ code: WebSocketCloseCodes.KICKED, reason: 'banned', willReconnect: false });
  expect(kicked.state).toBe(WebSocketClientConnectionStates.CLOSED);
});
