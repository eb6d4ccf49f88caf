/**
 * One cross-node behaviour suite, registered once per backend by cross-node.test.ts (the way
 * socket.io-redis-adapter runs one suite over its adapters). Real Bun servers, real WebSocket
 * clients, and only the public API: `send`, `cluster` (sends and disconnects that reach every
 * node), the emitter, `getStats`, `getSubscribedChannels`, `subscriptionsSettled`.
 *
 * "Exactly once" is checked the same way everywhere: await every copy that must arrive, then a
 * barrier behind them, then count. On a Redis Cluster a publish goes to the master that owns its
 * channel (sharded pub/sub), so a later message on another channel can overtake an earlier one:
 * awaiting the expected copies first keeps the barrier from being mistaken for the end of the traffic.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketChannels, WebSocketCloseCodes, WebSocketEmitter } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';
import type { ICrossNodeBackend } from './backends';

const TEST_TIMEOUT_MS = 20_000;

export const crossNodeSuite = (backend: ICrossNodeBackend): void => {
  describe(`cross-node on ${backend.name}`, () => {
    const nodes: ITestNode[] = [];
    const clients: TestClient[] = [];
    const emitters: WebSocketEmitter[] = [];

    beforeAll(() => backend.start(), 30_000);
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.close();
      for (const e of emitters.splice(0)) await e.shutdown();
      for (const n of nodes.splice(0)) await n.stop();
    });
    afterAll(() => backend.stop(), 20_000);

    /** `burst`: a node that lets one address (every test client is 127.0.0.1) open 150 sockets at once. */
    const node = async (burst = false) => {
      const protection = burst ? { maxUnauthenticatedPerIp: 0 } : undefined;
      const n = await startNode({ redisConnection: backend.connection(), protection });
      nodes.push(n);
      return n;
    };
    const connect = async (n: ITestNode, token = 'ok') => {
      const c = await TestClient.connect(n.url, { token });
      clients.push(c);
      return c;
    };
    const emitter = async (identifier?: string) => {
      const e = new WebSocketEmitter({ identifier, redisConnection: backend.connection() });
      emitters.push(e);
      await e.configure();
      return e;
    };
    /** Every subscription change on every node acknowledged by the backend. */
    const settled = () => Promise.all(nodes.map(n => n.helper.subscriptionsSettled()));
    const count = (c: TestClient, event: string) => c.all(event).length;
    /** Waits until each client has received at least as many `event` frames as `expected` says. */
    const delivered = async (event: string, targets: TestClient[], expected: number[]) => {
      for (const [i, c] of targets.entries()) while (count(c, event) < expected[i]!) await c.next(event);
    };
    /** A broadcast from `from` that every client awaits: what `from` sent before it has had its turn. */
    const barrier = async (from: ITestNode, everyone: TestClient[]) => {
      const marker = crypto.randomUUID();
      from.helper.send({ payload: { topic: 'barrier', data: marker } });
      for (const c of everyone) await c.next('barrier', f => f.data === marker);
    };

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
      await delivered('to-room', [onA, onB, onB2], [1, 1, 0]);
      await delivered('to-client', [onA, onB, onB2], [0, 1, 0]);
      await delivered('to-all', [onA, onB, onB2], [1, 1, 1]);
      await barrier(a, [onA, onB, onB2]);

      expect([count(onA, 'to-room'), count(onB, 'to-room'), count(onB2, 'to-room')]).toEqual([1, 1, 0]);
      expect([count(onA, 'to-client'), count(onB, 'to-client'), count(onB2, 'to-client')]).toEqual([0, 1, 0]);
      expect([count(onA, 'to-all'), count(onB, 'to-all'), count(onB2, 'to-all')]).toEqual([1, 1, 1]);
    }, TEST_TIMEOUT_MS);

    test('once `joined` arrives, a send from another node reaches the client, even right after a burst of connects', async () => {
      const a = await node();
      const b = await node(true);
      const members = await Promise.all(Array.from({ length: 150 }, () => connect(b)));
      // No subscriptionsSettled() here: the acknowledgement itself is the guarantee.
      await Promise.all(members.map(m => m.request('join', { rooms: ['just-joined'] }, 'joined')));
      a.helper.send({ destination: 'just-joined', payload: { topic: 'first', data: 1 } });
      for (const m of members) expect((await m.next('first')).data).toBe(1);
    }, TEST_TIMEOUT_MS);

    test('once `connected` arrives, the client is reachable from another node by id, user and default room', async () => {
      const a = await node();
      const b = await node(true);
      const worker = await emitter();
      const members = await Promise.all(Array.from({ length: 100 }, (_, i) => connect(b, `user:fresh-${i}`)));
      // No subscriptionsSettled(): `connected` itself is the guarantee.
      a.helper.send({ destination: 'ws-default', payload: { topic: 'room-first', data: 1 } });
      a.helper.send({ destination: members[0]!.id, payload: { topic: 'direct-first', data: 2 } });
      await worker.toUser({ userId: 'fresh-1', event: 'user-first', data: 3 });
      for (const m of members) expect((await m.next('room-first')).data).toBe(1);
      expect((await members[0]!.next('direct-first')).data).toBe(2);
      expect((await members[1]!.next('user-first')).data).toBe(3);
    }, TEST_TIMEOUT_MS);

    test('a message for a client id never reaches another client, even one asking for a room of that name', async () => {
      const a = await node();
      const b = await node();
      const target = await connect(b);
      const snoop = await connect(a);
      const ack = await snoop.request('join', { rooms: [target.id] }, 'joined');
      expect(ack.data.refused).toEqual([target.id]);
      await settled();
      a.helper.send({ destination: target.id, payload: { topic: 'private', data: 'only you' } });
      await delivered('private', [target], [1]);
      await barrier(a, [target, snoop]);
      expect(count(target, 'private')).toBe(1);
      expect(count(snoop, 'private')).toBe(0);
    }, TEST_TIMEOUT_MS);

    test("server-side joinRoom refuses reserved names on every node, so another node's spy never gets a client's direct messages", async () => {
      const a = await node();
      const b = await node();
      const c = await node();
      const victim = await connect(a);
      const spy = await connect(b);
      // App code on B passing a client-chosen name: the victim is not on B, so no local check can see it.
      b.helper.joinRoom({ clientId: spy.id, room: victim.id });
      b.helper.joinRoom({ clientId: spy.id, room: 'ws:internal' });
      await settled();
      expect(b.helper.getClientsByRoom({ room: victim.id })).toEqual([]);
      expect(b.helper.getClientsByRoom({ room: 'ws:internal' })).toEqual([]);
      expect(b.helper.getSubscribedChannels()).not.toContain(WebSocketChannels.forRoom({ room: victim.id }));

      // From the victim's node, from the spy's node and from a third node.
      for (const [i, from] of [a, b, c].entries()) from.helper.send({ destination: victim.id, payload: { topic: 'private', data: i } });
      await delivered('private', [victim], [3]);
      for (const from of [a, b, c]) await barrier(from, [victim, spy]);
      expect(count(victim, 'private')).toBe(3);
      expect(count(spy, 'private')).toBe(0);
    }, TEST_TIMEOUT_MS);

    test('send() to a client on another node publishes once, on its client channel, never on a room channel', async () => {
      const a = await node();
      const b = await node();
      const target = await connect(b);
      await settled();
      const roomChannel = WebSocketChannels.forRoom({ room: target.id });
      const clientChannel = WebSocketChannels.forClient({ clientId: target.id });
      const raw = await backend.listen([roomChannel, clientChannel]);
      try {
        a.helper.send({ destination: target.id, payload: { topic: 'direct', data: 1 } });
        a.helper.send({ destination: target.id, payload: { topic: 'direct-after', data: 2 } });
        await delivered('direct', [target], [1]);
        await delivered('direct-after', [target], [1]);
        // Both client-channel copies heard: on one connection, everything published before them was heard too.
        for (const event of ['direct', 'direct-after']) await raw.until(h => h.channel === clientChannel && JSON.parse(h.text).event === event);
        await barrier(a, [target]);
        const heard = raw.heard.map(h => `${h.channel} ${JSON.parse(h.text).event}`).sort();
        expect(heard).toEqual([`${clientChannel} direct`, `${clientChannel} direct-after`]);
        expect(count(target, 'direct')).toBe(1);
      } finally {
        await raw.stop();
      }
    }, TEST_TIMEOUT_MS);

    test('protocol events are refused at the sender: send() throws and the emitter rejects, before anything is delivered', async () => {
      const a = await node();
      const b = await node();
      const onA = await connect(a);
      const onB = await connect(b);
      const worker = await emitter('worker');
      for (const topic of ['connected', 'error', 'joined', 'ping:reply']) {
        expect(() => a.helper.send({ payload: { topic, data: { forged: true } } })).toThrow(/protocol event/);
        expect(() => a.helper.send({ destination: onB.id, payload: { topic, data: { forged: true } } })).toThrow(/protocol event/);
        await expect(worker.broadcast({ event: topic, data: { forged: true } })).rejects.toThrow(/protocol event/);
        await expect(worker.toClient({ clientId: onA.id, event: topic, data: { forged: true } })).rejects.toThrow(/protocol event/);
      }
      await worker.broadcast({ event: 'after', data: 1 });
      await barrier(a, [onA, onB]);
      for (const c of [onA, onB]) {
        await c.next('after');
        expect(c.frames.filter(f => (f.data as { forged?: boolean } | undefined)?.forged)).toEqual([]);
      }
    }, TEST_TIMEOUT_MS);

    test('a user on two nodes is reached everywhere through the emitter, exactly once per session', async () => {
      const a = await node();
      const b = await node();
      const s1 = await connect(a, 'user:carol');
      const s2 = await connect(b, 'user:carol');
      const other = await connect(b, 'user:dave');
      await s1.request('join', { rooms: ['ops'] }, 'joined');
      await other.request('join', { rooms: ['ops'] }, 'joined');
      await settled();

      const worker = await emitter('worker');
      await worker.toUser({ userId: 'carol', event: 'e-user', data: 1 });
      await worker.toClient({ clientId: s2.id, event: 'e-client', data: 2 });
      await worker.toRoom({ room: 'ops', event: 'e-room', data: 3, exclude: [other.id] });
      await worker.toRoom({ room: 'ops', event: 'e-room-all', data: 4 });
      await worker.broadcast({ event: 'e-all-ex', data: 6, exclude: [s2.id] });
      await worker.broadcast({ event: 'e-all', data: 5 });
      const sessions = [s1, s2, other];
      await delivered('e-user', sessions, [1, 1, 0]);
      await delivered('e-client', sessions, [0, 1, 0]);
      await delivered('e-room', sessions, [1, 0, 0]);
      await delivered('e-room-all', sessions, [1, 0, 1]);
      await delivered('e-all-ex', sessions, [1, 0, 1]);
      await delivered('e-all', sessions, [1, 1, 1]);
      await barrier(a, sessions);

      expect([count(s1, 'e-user'), count(s2, 'e-user'), count(other, 'e-user')]).toEqual([1, 1, 0]);
      expect([count(s1, 'e-client'), count(s2, 'e-client'), count(other, 'e-client')]).toEqual([0, 1, 0]);
      expect([count(s1, 'e-room'), count(s2, 'e-room'), count(other, 'e-room')]).toEqual([1, 0, 0]);
      expect([count(s1, 'e-room-all'), count(s2, 'e-room-all'), count(other, 'e-room-all')]).toEqual([1, 0, 1]);
      expect([count(s1, 'e-all'), count(s2, 'e-all'), count(other, 'e-all')]).toEqual([1, 1, 1]);
      expect([count(s1, 'e-all-ex'), count(s2, 'e-all-ex'), count(other, 'e-all-ex')]).toEqual([1, 0, 1]);
    }, TEST_TIMEOUT_MS);

    test('cluster.sendToUser and send({ destination: { userId } }) from a third node reach every socket of the user exactly once; sendToUser stays local', async () => {
      const a = await node();
      const b = await node();
      const c = await node();
      const onA = await connect(a, 'user:erin');
      const onB = await connect(b, 'user:erin');
      const onB2 = await connect(b, 'user:erin');
      const onC = await connect(c, 'user:erin');
      const other = await connect(c, 'user:frank');
      await settled();
      const everyone = [onA, onB, onB2, onC, other];

      c.helper.cluster.sendToUser({ userId: 'erin', event: 'u-cluster', data: 1 });
      c.helper.send({ destination: { userId: 'erin' }, payload: { topic: 'u-send', data: 2 } });
      // The contract's sendToUser: this node's sessions only.
      c.helper.sendToUser({ userId: 'erin', event: 'u-local', data: 3 });
      await delivered('u-cluster', everyone, [1, 1, 1, 1, 0]);
      await delivered('u-send', everyone, [1, 1, 1, 1, 0]);
      await delivered('u-local', everyone, [0, 0, 0, 1, 0]);
      await barrier(c, everyone);

      expect(everyone.map(s => count(s, 'u-cluster'))).toEqual([1, 1, 1, 1, 0]);
      expect(everyone.map(s => count(s, 'u-send'))).toEqual([1, 1, 1, 1, 0]);
      expect(everyone.map(s => count(s, 'u-local'))).toEqual([0, 0, 0, 1, 0]);
      expect(everyone.filter(s => s !== other).map(s => s.all('u-cluster')[0]!.data)).toEqual([1, 1, 1, 1]);
    }, TEST_TIMEOUT_MS);

    test('cluster.sendToClient, sendToRoom and broadcast reach every node exactly once and honour exclude', async () => {
      const a = await node();
      const b = await node();
      const onA = await connect(a);
      const onA2 = await connect(a);
      const onB = await connect(b);
      const onB2 = await connect(b);
      for (const c of [onA, onB, onB2]) await c.request('join', { rooms: ['crew'] }, 'joined');
      await settled();
      const everyone = [onA, onA2, onB, onB2];

      a.helper.cluster.sendToClient({ clientId: onB.id, event: 'c-remote', data: 1 });
      a.helper.cluster.sendToClient({ clientId: onA2.id, event: 'c-local', data: 2 });
      a.helper.cluster.sendToRoom({ room: 'crew', event: 'r-ex', data: 3, exclude: [onB2.id] });
      b.helper.cluster.sendToRoom({ room: 'crew', event: 'r-all', data: 4 });
      a.helper.cluster.sendToRoom({ room: onB2.id, event: 'r-own-id', data: 5 });
      a.helper.cluster.sendToRoom({ room: onB.id, event: 'r-own-id-ex', data: 6, exclude: [onB.id] });
      a.helper.cluster.broadcast({ event: 'b-ex', data: 7, exclude: [onA2.id, onB.id] });
      b.helper.cluster.broadcast({ event: 'b-all', data: 8 });
      await delivered('c-remote', everyone, [0, 0, 1, 0]);
      await delivered('c-local', everyone, [0, 1, 0, 0]);
      await delivered('r-ex', everyone, [1, 0, 1, 0]);
      await delivered('r-all', everyone, [1, 0, 1, 1]);
      await delivered('r-own-id', everyone, [0, 0, 0, 1]);
      await delivered('b-ex', everyone, [1, 0, 0, 1]);
      await delivered('b-all', everyone, [1, 1, 1, 1]);
      await barrier(a, everyone);
      await barrier(b, everyone);

      const counts = (event: string) => everyone.map(c => count(c, event));
      expect(counts('c-remote')).toEqual([0, 0, 1, 0]);
      expect(counts('c-local')).toEqual([0, 1, 0, 0]);
      expect(counts('r-ex')).toEqual([1, 0, 1, 0]);
      expect(counts('r-all')).toEqual([1, 0, 1, 1]);
      expect(counts('r-own-id')).toEqual([0, 0, 0, 1]);
      expect(counts('r-own-id-ex')).toEqual([0, 0, 0, 0]);
      expect(counts('b-ex')).toEqual([1, 0, 0, 1]);
      expect(counts('b-all')).toEqual([1, 1, 1, 1]);
    }, TEST_TIMEOUT_MS);

    test('cluster.disconnect({ userId }) closes every socket of the user on every node with 4007, the calling node included; others stay', async () => {
      const a = await node();
      const b = await node();
      const c = await node();
      const targets = [await connect(a, 'user:mallory'), await connect(b, 'user:mallory'), await connect(b, 'user:mallory'), await connect(c, 'user:mallory')];
      const bystanders = [await connect(a, 'user:bob'), await connect(b, 'user:bob'), await connect(c, 'user:bob')];
      await settled();

      c.helper.cluster.disconnect({ userId: 'mallory' });
      for (const t of targets) expect(await t.closed).toEqual({ code: WebSocketCloseCodes.KICKED, reason: 'Disconnected by the server' });
      // Still connected: each bystander gets a broadcast sent after the kick, from every node.
      for (const from of [a, b, c]) await barrier(from, bystanders);
      expect(bystanders.map(s => s.readyState)).toEqual([1, 1, 1]);
    }, TEST_TIMEOUT_MS);

    test('cluster.disconnect({ clientId }) closes only that socket, wherever it is, with the given code and reason', async () => {
      const a = await node();
      const b = await node();
      const [first, second] = [await connect(b, 'user:grace'), await connect(b, 'user:grace')];
      const local = await connect(a, 'user:grace');
      await settled();

      a.helper.cluster.disconnect({ clientId: first!.id, code: 4100, reason: 'session revoked' });
      expect(await first!.closed).toEqual({ code: 4100, reason: 'session revoked' });
      a.helper.cluster.disconnect({ clientId: local.id, code: 1000, reason: 'bye' });
      expect(await local.closed).toEqual({ code: 1000, reason: 'bye' });
      // The user's other session is untouched.
      await barrier(a, [second!]);
      await barrier(b, [second!]);
      expect(second!.readyState).toBe(1);
    }, TEST_TIMEOUT_MS);

    test('emitter.disconnect closes a user on every node, or one client, from a process without a WebSocket server', async () => {
      const a = await node();
      const b = await node();
      const worker = await emitter('kicker');
      const sessions = [await connect(a, 'user:heidi'), await connect(b, 'user:heidi')];
      const [single, keeper] = [await connect(b, 'user:ivan'), await connect(a, 'user:ivan')];
      await settled();

      await worker.disconnect({ userId: 'heidi', reason: 'account closed' });
      for (const s of sessions) expect(await s!.closed).toEqual({ code: WebSocketCloseCodes.KICKED, reason: 'account closed' });
      await worker.disconnect({ clientId: single!.id, code: 4200 });
      expect((await single!.closed).code).toBe(4200);
      await barrier(a, [keeper!]);
      expect(keeper!.readyState).toBe(1);
      // Invalid targets never leave the process.
      await expect(worker.disconnect({ userId: 'heidi', code: 1001 })).rejects.toThrow('1000 or 3000-4999');
    }, TEST_TIMEOUT_MS);

    if (backend.tracksInterest) {
      test('interest (Redis backends): a node that hosts no member of a room receives none of its messages', async () => {
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
        await delivered('room-msg', [member], [20]);
        await barrier(a, [member, ...watchers]);
        const received = nodes.map((n, i) => n.helper.getStats().received - before[i]!);
        // Each node also got the barrier broadcast (A its own echo, ignored): 1 each plus 20 on B.
        expect(received).toEqual([1, 21, 1]);
        expect(count(member, 'room-msg')).toBe(20);

        await member.request('leave', { rooms: ['only-on-b'] }, 'left');
        await settled();
        expect(b.helper.getSubscribedChannels()).not.toContain(WebSocketChannels.forRoom({ room: 'only-on-b' }));
      }, TEST_TIMEOUT_MS);

      test('interest (Redis backends): connect, join and disconnect cycles leave a node subscribed to the broadcast and control channels only', async () => {
        const a = await node();
        for (let i = 0; i < 60; i++) {
          const client = await TestClient.connect(a.url, { token: `user:u${i % 7}` });
          if (i % 3 === 0) await client.request('join', { rooms: [`room-${i % 5}`] }, 'joined');
          await client.close();
        }
        await a.untilEmpty();
        await settled();
        // The broadcast and control channels are always wanted; nothing of the 60 clients is left.
        expect(a.helper.getSubscribedChannels().sort()).toEqual([WebSocketChannels.BROADCAST, WebSocketChannels.CONTROL].sort());
      }, TEST_TIMEOUT_MS);
    } else {
      test('no interest (in-process hub): nodes subscribe to nothing, yet a room hosted on B alone gets what A sends', async () => {
        const a = await node();
        const b = await node();
        const member = await connect(b);
        await member.request('join', { rooms: ['only-on-b'] }, 'joined');
        const watcher = await connect(a);
        await settled();
        expect(a.helper.getSubscribedChannels()).toEqual([]);
        expect(b.helper.getSubscribedChannels()).toEqual([]);

        for (let i = 0; i < 20; i++) a.helper.send({ destination: 'only-on-b', payload: { topic: 'room-msg', data: i } });
        await delivered('room-msg', [member], [20]);
        await barrier(a, [member, watcher]);
        expect(count(member, 'room-msg')).toBe(20);
        expect(count(watcher, 'room-msg')).toBe(0);
      }, TEST_TIMEOUT_MS);
    }

    // Only a backend with a wire can carry bytes this package did not write.
    const publishRaw = backend.publishRaw;
    if (publishRaw) {
      test('a malformed message on a channel is dropped and counted; delivery goes on', async () => {
        const a = await node();
        const client = await connect(a);
        await settled();
        const junk = ['not json', 'null', '[]', '{"serverId":1}', '{"serverId":"x","type":"nope","event":"e","data":1}', '{"serverId":"x","type":"room","event":"e"}'];
        const fine = JSON.stringify({ serverId: 'emitter', type: 'broadcast', event: 'fine', data: 1 });
        await publishRaw(WebSocketChannels.BROADCAST, [...junk, fine]);
        await client.next('fine');
        expect(a.helper.getStats().malformedInbound).toBe(6);
      }, TEST_TIMEOUT_MS);

      test('protocol events published on Redis reach no client and are counted as refused', async () => {
        const a = await node();
        const client = await connect(a);
        await settled();
        const forged = ['connected', 'error', 'joined', 'encrypted', 'authenticate', 'heartbeat', 'ping:reply'].map(event =>
          JSON.stringify({ serverId: 'emitter', type: 'broadcast', event, data: { forged: true } }),
        );
        const fine = JSON.stringify({ serverId: 'emitter', type: 'broadcast', event: 'fine', data: 1 });
        await publishRaw(WebSocketChannels.BROADCAST, [...forged, fine]);
        await client.next('fine');
        expect(client.frames.filter(f => (f.data as { forged?: boolean } | undefined)?.forged)).toEqual([]);
        expect(count(client, 'connected')).toBe(1);
        expect(a.helper.getStats().refusedInbound).toBe(forged.length);
        expect(a.helper.getStats().malformedInbound).toBe(0);
      }, TEST_TIMEOUT_MS);

      test('forged control commands are refused and counted: invalid ones as malformed, valid ones off ws:control as refused; only a valid one on ws:control closes anyone', async () => {
        const a = await node();
        const victim = await connect(a, 'user:victim');
        const canary = await connect(a, 'user:canary');
        await settled();
        const command = (fields: Record<string, unknown>) =>
          JSON.stringify({ serverId: 'forger', type: 'control', action: 'disconnect', userId: 'victim', code: 4007, reason: 'forged', ...fields });
        const invalid = [
          command({ code: 1001 }), // not an application close code
          command({ code: 5000 }),
          command({ code: 4007.5 }),
          command({ reason: 'x'.repeat(124) }), // longer than a close frame can carry
          command({ clientId: canary.id }), // both a client and a user
          command({ userId: undefined }), // neither
          command({ userId: '' }),
          command({ action: 'shutdown' }), // an action nobody defined
          command({ serverId: '' }),
          command({ admin: true }), // a field this package never writes
          JSON.stringify({ type: 'control' }),
        ];
        // In order on one channel: the last command (valid) closes the canary once everything before it was judged.
        const onControl = [...invalid, JSON.stringify({ serverId: 'forger', type: 'broadcast', event: 'not-a-command', data: 1 })];
        await publishRaw(WebSocketChannels.CONTROL, [...onControl, command({ userId: 'canary', code: 4321, reason: 'the real one' })]);
        expect(await canary.closed).toEqual({ code: 4321, reason: 'the real one' });
        // A valid command on a client channel is not a command there; each channel's own message proves it was judged.
        const userChannel = WebSocketChannels.forUser({ userId: 'victim' });
        await publishRaw(userChannel, [command({}), JSON.stringify({ serverId: 'emitter', type: 'user', target: 'victim', event: 'fine-user', data: 1 })]);
        await publishRaw(WebSocketChannels.BROADCAST, [command({}), JSON.stringify({ serverId: 'emitter', type: 'broadcast', event: 'fine-all', data: 2 })]);
        await victim.next('fine-user');
        await victim.next('fine-all');

        expect(victim.readyState).toBe(1);
        expect(victim.all('not-a-command')).toEqual([]);
        expect(a.helper.getStats().malformedInbound).toBe(invalid.length);
        // The client message on ws:control, and the two commands on client channels.
        expect(a.helper.getStats().refusedInbound).toBe(3);
      }, TEST_TIMEOUT_MS);

      test("a message is routed by the channel it arrived on: a type or target that disagrees with it is refused and counted", async () => {
        const a = await node();
        const member = await connect(a);
        const other = await connect(a);
        await member.request('join', { rooms: ['team'] }, 'joined');
        await settled();
        const envelope = (fields: Record<string, unknown>) => JSON.stringify({ serverId: 'emitter', data: 'forged', ...fields });
        const clientChannel = WebSocketChannels.forClient({ clientId: member.id });
        const roomChannel = WebSocketChannels.forRoom({ room: 'team' });
        const mismatched: [string, Record<string, unknown>][] = [
          [WebSocketChannels.BROADCAST, { type: 'room', target: 'team', event: 'm1' }],
          [WebSocketChannels.BROADCAST, { type: 'broadcast', target: 'team', event: 'm2' }],
          [clientChannel, { type: 'room', target: 'team', event: 'm3' }],
          [clientChannel, { type: 'broadcast', event: 'm4' }],
          [clientChannel, { type: 'client', target: other.id, event: 'm5' }],
          [roomChannel, { type: 'room', target: 'elsewhere', event: 'm6' }],
          [roomChannel, { type: 'client', target: member.id, event: 'm7' }],
          [roomChannel, { type: 'broadcast', event: 'm8' }],
        ];
        for (const [channel, fields] of mismatched) await publishRaw(channel, [envelope(fields)]);
        // The contract's envelopes on the contract's channels (what any emitter publishes) still go through.
        await publishRaw(roomChannel, [envelope({ type: 'room', target: 'team', event: 'fine-room', exclude: [] })]);
        await publishRaw(clientChannel, [envelope({ type: 'client', target: member.id, event: 'fine-client' })]);
        await publishRaw(WebSocketChannels.BROADCAST, [envelope({ type: 'broadcast', event: 'fine-all' })]);
        for (const event of ['fine-room', 'fine-client', 'fine-all']) await member.next(event);
        await other.next('fine-all');
        for (const c of [member, other]) expect(c.frames.filter(f => /^m[0-9]$/.test(f.event)).map(f => f.event)).toEqual([]);
        expect(a.helper.getStats().refusedInbound).toBe(mismatched.length);
        expect(a.helper.getStats().malformedInbound).toBe(0);
      }, TEST_TIMEOUT_MS);
    }
  });
};
