import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketChannels, WebSocketEmitter } from '../../src';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let redis: TestRedis;
const nodes: ITestNode[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const n of nodes.splice(0)) await n.stop();
});
afterAll(async () => {
  await redis.stop();
});

const node = async () => {
  const n = await startNode({ redisConnection: redis.helper() });
  nodes.push(n);
  return n;
};
const connect = async (n: ITestNode, token = 'ok') => {
  const c = await TestClient.connect(n.url, { token });
  clients.push(c);
  return c;
};
/** Every subscription change on every node acknowledged by Redis. */
const settled = () => Promise.all(nodes.map(n => n.helper.subscriptionsSettled()));
/** A broadcast from `from` that every client awaits: all earlier messages from `from` have arrived. */
const barrier = async (from: ITestNode, everyone: TestClient[]) => {
  const marker = crypto.randomUUID();
  from.helper.send({ payload: { topic: 'barrier', data: marker } });
  for (const c of everyone) await c.next('barrier', f => f.data === marker);
};
const count = (c: TestClient, event: string) => c.all(event).length;

describe('two helpers on one Redis', () => {
  test('send() on A to a room, a client id and everyone reaches B exactly once, and A never twice', async () => {
    const a = await node();
    const b = await node();
    const onA = await connect(a);
    const onB = await connect(b);
    const onB2 = await connect(b);
    await onA.request('join', { rooms: ['team'] }, 'joined');
    await onB.request('join', { rooms: ['team'] }, 'joined');
    await settled();

    a.helper.send({ destination: 'team', payload: { topic: 'to-room', data: 1 } });
    a.helper.send({ destination: onB.id, payload: { topic: 'to-client', data: 2 } });
    a.helper.send({ payload: { topic: 'to-all', data: 3 } });
    await barrier(a, [onA, onB, onB2]);

    expect([count(onA, 'to-room'), count(onB, 'to-room'), count(onB2, 'to-room')]).toEqual([1, 1, 0]);
    expect([count(onA, 'to-client'), count(onB, 'to-client'), count(onB2, 'to-client')]).toEqual([0, 1, 0]);
    expect([count(onA, 'to-all'), count(onB, 'to-all'), count(onB2, 'to-all')]).toEqual([1, 1, 1]);
  });

  test('once `joined` arrives, a send from another node reaches the client, even right after a burst of connects', async () => {
    const a = await node();
    const b = await node();
    const members = await Promise.all(Array.from({ length: 150 }, () => connect(b)));
    // No subscriptionsSettled() here: the acknowledgement itself is the guarantee.
    await Promise.all(members.map(m => m.request('join', { rooms: ['just-joined'] }, 'joined')));
    a.helper.send({ destination: 'just-joined', payload: { topic: 'first', data: 1 } });
    for (const m of members) expect((await m.next('first')).data).toBe(1);
  });

  test('once `connected` arrives, the client is reachable from another node by id, user and default room', async () => {
    const a = await node();
    const b = await node();
    const emitter = new WebSocketEmitter({ redisConnection: redis.helper() });
    await emitter.configure();
    const members = await Promise.all(Array.from({ length: 100 }, (_, i) => connect(b, `user:fresh-${i}`)));
    // No subscriptionsSettled(): `connected` itself is the guarantee.
    a.helper.send({ destination: 'ws-default', payload: { topic: 'room-first', data: 1 } });
    a.helper.send({ destination: members[0]!.id, payload: { topic: 'direct-first', data: 2 } });
    await emitter.toUser({ userId: 'fresh-1', event: 'user-first', data: 3 });
    for (const m of members) expect((await m.next('room-first')).data).toBe(1);
    expect((await members[0]!.next('direct-first')).data).toBe(2);
    expect((await members[1]!.next('user-first')).data).toBe(3);
    await emitter.shutdown();
  });

  test('a message for a client id never reaches another client, even one asking for a room of that name', async () => {
    const a = await node();
    const b = await node();
    const target = await connect(b);
    const snoop = await connect(a);
    const ack = await snoop.request('join', { rooms: [target.id] }, 'joined');
    expect(ack.data.refused).toEqual([target.id]);
    await settled();
    a.helper.send({ destination: target.id, payload: { topic: 'private', data: 'only you' } });
    await barrier(a, [target, snoop]);
    expect(count(target, 'private')).toBe(1);
    expect(count(snoop, 'private')).toBe(0);
  });

  test('interest: a node that hosts no member of a room receives none of its messages', async () => {
    const a = await node();
    const b = await node();
    const c = await node();
    const member = await connect(b);
    await member.request('join', { rooms: ['only-on-b'] }, 'joined');
    const watchers = [await connect(a), await connect(c)];
    await settled();
    expect(b.helper.getSubscribedChannels()).toContain(WebSocketChannels.forRoom({ room: 'only-on-b' }));
    expect(c.helper.getSubscribedChannels()).not.toContain(WebSocketChannels.forRoom({ room: 'only-on-b' }));

    const before = nodes.map(n => n.helper.getStats().received);
    for (let i = 0; i < 20; i++) a.helper.send({ destination: 'only-on-b', payload: { topic: 'room-msg', data: i } });
    await barrier(a, [member, ...watchers]);
    const received = nodes.map((n, i) => n.helper.getStats().received - before[i]!);
    // Each node also got the barrier broadcast (A its own echo, ignored): 1 each plus 20 on B.
    expect(received).toEqual([1, 21, 1]);
    expect(count(member, 'room-msg')).toBe(20);

    await member.request('leave', { rooms: ['only-on-b'] }, 'left');
    await settled();
    expect(b.helper.getSubscribedChannels()).not.toContain(WebSocketChannels.forRoom({ room: 'only-on-b' }));
  });

  test('a user on two nodes is reached everywhere through the emitter, exactly once per session', async () => {
    const a = await node();
    const b = await node();
    const s1 = await connect(a, 'user:carol');
    const s2 = await connect(b, 'user:carol');
    const other = await connect(b, 'user:dave');
    await s1.request('join', { rooms: ['ops'] }, 'joined');
    await other.request('join', { rooms: ['ops'] }, 'joined');
    await settled();

    const emitter = new WebSocketEmitter({ identifier: 'worker', redisConnection: redis.helper() });
    await emitter.configure();
    await emitter.toUser({ userId: 'carol', event: 'e-user', data: 1 });
    await emitter.toClient({ clientId: s2.id, event: 'e-client', data: 2 });
    await emitter.toRoom({ room: 'ops', event: 'e-room', data: 3, exclude: [other.id] });
    await emitter.toRoom({ room: 'ops', event: 'e-room-all', data: 4 });
    await emitter.broadcast({ event: 'e-all-ex', data: 6, exclude: [s2.id] });
    await emitter.broadcast({ event: 'e-all', data: 5 });
    for (const c of [s1, s2, other]) await c.next('e-all');
    await emitter.shutdown();

    expect([count(s1, 'e-user'), count(s2, 'e-user'), count(other, 'e-user')]).toEqual([1, 1, 0]);
    expect([count(s1, 'e-client'), count(s2, 'e-client'), count(other, 'e-client')]).toEqual([0, 1, 0]);
    expect([count(s1, 'e-room'), count(s2, 'e-room'), count(other, 'e-room')]).toEqual([1, 0, 0]);
    expect([count(s1, 'e-room-all'), count(s2, 'e-room-all'), count(other, 'e-room-all')]).toEqual([1, 0, 1]);
    expect([count(s1, 'e-all'), count(s2, 'e-all'), count(other, 'e-all')]).toEqual([1, 1, 1]);
    expect([count(s1, 'e-all-ex'), count(s2, 'e-all-ex'), count(other, 'e-all-ex')]).toEqual([1, 0, 1]);
  });

  test('a malformed message on a channel is dropped and counted; delivery goes on', async () => {
    const a = await node();
    const client = await connect(a);
    await settled();
    const raw = redis.helper('raw-publisher').getClient();
    await raw.connect();
    for (const junk of ['not json', 'null', '[]', '{"serverId":1}', '{"serverId":"x","type":"nope","event":"e","data":1}', '{"serverId":"x","type":"room","event":"e"}']) {
      await raw.publish(WebSocketChannels.BROADCAST, junk);
    }
    await raw.publish(WebSocketChannels.BROADCAST, JSON.stringify({ serverId: 'emitter', type: 'broadcast', event: 'fine', data: 1 }));
    await client.next('fine');
    expect(a.helper.getStats().malformedInbound).toBe(6);
    await raw.quit();
  });
});
