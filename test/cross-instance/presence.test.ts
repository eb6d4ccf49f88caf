/**
 * Cluster-wide presence (wiki/presence.md) with real Bun servers, real WebSocket clients and, for
 * the Redis backends, a real redis-server / three-master Redis Cluster. The shared part runs on
 * every backend of the cross-node suite; what is about Redis itself (a node killed with SIGKILL,
 * what is written to Redis, Redis losing its data) runs on single Redis.
 */
import { BaseProvider } from '@venizia/ignis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import {
  WebSocketBindingKeys,
  WebSocketComponent,
  WebSocketEmitter,
  WebSocketEvents,
  compileRoomPolicy,
  getWebSocketHelper,
  resolveServerOptions,
  type AnyObject,
  type IWebSocketPresence,
  type IWebSocketServerOptions,
  type IWebSocketUserPresence,
  type TWebSocketUserPresenceFn,
} from '../../src';
import { StaticTokenAuthProvider } from '../component/fixtures/providers';
import { TestApp } from '../component/fixtures/test-app';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient, type IFrame } from '../support/ws-client';
import { memoryBackend, redisBackend, redisClusterBackend, type ICrossNodeBackend } from './backends';
import { startPresenceNode } from './presence-node';

const TEST_TIMEOUT_MS = 20_000;
const { PRESENCE_JOIN, PRESENCE_LEAVE } = WebSocketEvents;

/** `{ token: 'user:<id>' }` signs in as `<id>`, with metadata the presence info is picked from. */
const authenticateWithName = (data: AnyObject) => {
  const token = data.token;
  if (typeof token !== 'string' || !token.startsWith('user:')) return null;
  const userId = token.slice(5);
  return { userId, metadata: { name: userId.toUpperCase(), secret: 'never shown' } };
};

/** Presence sorted by user id, so two answers compare whatever order the store listed them in. */
const sorted = (presence: IWebSocketPresence): IWebSocketPresence => ({
  ...presence,
  users: [...presence.users].sort((x, y) => x.userId.localeCompare(y.userId)),
});

/** Every `userPresenceFn` call of every node, in order, with a way to await the next one that matches. */
const userEvents = () => {
  const seen: IWebSocketUserPresence[] = [];
  let waiters: { match: (e: IWebSocketUserPresence) => boolean; resolve: (e: IWebSocketUserPresence) => void }[] = [];
  return {
    seen,
    fn: (event: IWebSocketUserPresence) => {
      seen.push(event);
      const pending = waiters;
      waiters = [];
      for (const w of pending) (w.match(event) ? w.resolve(event) : waiters.push(w));
    },
    /** The first event (already seen or to come) matching; seen ones are not consumed. */
    until: (match: (e: IWebSocketUserPresence) => boolean, after = 0): Promise<IWebSocketUserPresence> => {
      const found = seen.slice(after).find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching user presence event; seen ${JSON.stringify(seen)}`)), 15_000);
        waiters.push({ match, resolve: e => (clearTimeout(timer), resolve(e)) });
      });
    },
    of: (userId: string) => seen.filter(e => e.userId === userId).map(({ status, version }) => ({ status, version })),
  };
};

const presenceSuite = (backend: ICrossNodeBackend): void => {
  describe(`presence on ${backend.name}`, () => {
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

    const node = async (opts: Partial<IWebSocketServerOptions> = {}) => {
      const n = await startNode({ redisConnection: backend.connection(), authenticateFn: authenticateWithName, ...opts });
      nodes.push(n);
      return n;
    };
    const connect = async (n: ITestNode, userId: string) => {
      const c = await TestClient.connect(n.url, { token: `user:${userId}` });
      clients.push(c);
      return c;
    };
    /** Joins and waits for the client's own `presence:join`: announced once its entry is written. */
    const enter = async (c: TestClient, room: string) => {
      await c.request('join', { rooms: [room] }, 'joined');
      await c.next(PRESENCE_JOIN, f => f.data.room === room && f.data.clientId === c.id);
    };
    const count = (c: TestClient, event: string, where: (f: IFrame) => boolean) => c.all(event).filter(where).length;

    test('getPresence lists every user and connection of a room across nodes, from any node and from an emitter', async () => {
      const presence = { rooms: ['lobby:*'], events: true, info: ({ metadata }: { metadata?: AnyObject }) => ({ name: metadata?.name }) };
      const a = await node({ presence });
      const b = await node({ presence });
      const adaOnA = await connect(a, 'ada');
      const ada2OnA = await connect(a, 'ada');
      const bobOnB = await connect(b, 'bob');
      for (const c of [adaOnA, ada2OnA, bobOnB]) await enter(c, 'lobby:1');
      await bobOnB.request('join', { rooms: ['elsewhere'] }, 'joined');
      const worker = new WebSocketEmitter({ redisConnection: backend.connection() });
      emitters.push(worker);
      await worker.configure();

      const expected = {
        room: 'lobby:1',
        connections: 3,
        users: [
          { userId: 'ada', connections: 2, info: { name: 'ADA' } },
          { userId: 'bob', connections: 1, info: { name: 'BOB' } },
        ],
      };
      expect(sorted(await a.helper.getPresence('lobby:1'))).toEqual(expected);
      expect(sorted(await b.helper.getPresence({ room: 'lobby:1' }))).toEqual(expected);
      expect(sorted(await worker.getPresence('lobby:1'))).toEqual(expected);
      // A room outside `presence.rooms` is never tracked.
      expect(await a.helper.getPresence('elsewhere')).toEqual({ room: 'elsewhere', connections: 0, users: [] });

      await bobOnB.close();
      await adaOnA.next(PRESENCE_LEAVE, f => f.data.clientId === bobOnB.id);
      await ada2OnA.request('leave', { rooms: ['lobby:1'] }, 'left');
      await adaOnA.next(PRESENCE_LEAVE, f => f.data.clientId === ada2OnA.id);
      const after = { room: 'lobby:1', connections: 1, users: [{ userId: 'ada', connections: 1, info: { name: 'ADA' } }] };
      expect(await b.helper.getPresence('lobby:1')).toEqual(after);
      expect(await worker.getPresence('lobby:1')).toEqual(after);
    }, TEST_TIMEOUT_MS);

    test('presence:join and presence:leave reach every member once on every node, only in rooms whose policy announces them', async () => {
      const presence = { rooms: true, events: ['chat'] };
      const a = await node({ presence });
      const b = await node({ presence });
      const m1 = await connect(a, 'm1');
      const m2 = await connect(b, 'm2');
      for (const c of [m1, m2]) {
        await enter(c, 'chat');
        await c.request('join', { rooms: ['quiet'] }, 'joined');
      }
      await m1.next(PRESENCE_JOIN, f => f.data.clientId === m2.id);

      const x = await connect(b, 'x');
      await x.request('join', { rooms: ['chat', 'quiet'] }, 'joined');
      const isX = (f: IFrame) => f.data.clientId === x.id;
      for (const c of [m1, m2, x]) {
        const join = await c.next(PRESENCE_JOIN, isX);
        expect(join.data).toEqual({ room: 'chat', clientId: x.id, userId: 'x' });
      }
      await x.request('leave', { rooms: ['chat'] }, 'left');
      for (const c of [m1, m2]) expect((await c.next(PRESENCE_LEAVE, isX)).data).toEqual({ room: 'chat', clientId: x.id, userId: 'x' });
      await x.close();

      // Everything B published for the room before this barrier has reached both members.
      const marker = crypto.randomUUID();
      b.helper.send({ destination: 'chat', payload: { topic: 'barrier', data: marker } });
      for (const c of [m1, m2]) await c.next('barrier', f => f.data === marker);
      for (const c of [m1, m2]) {
        expect(count(c, PRESENCE_JOIN, isX)).toBe(1);
        expect(count(c, PRESENCE_LEAVE, isX)).toBe(1);
        expect(c.all(PRESENCE_JOIN).concat(c.all(PRESENCE_LEAVE)).filter(f => f.data.room !== 'chat')).toEqual([]);
      }
      // 'quiet' has presence without events: x was listed there, and is gone with its socket.
      expect(await a.helper.getPresence('quiet')).toMatchObject({ connections: 2 });
    }, TEST_TIMEOUT_MS);

    test('userPresenceFn: online once when the first socket anywhere appears, offline once after the last one anywhere, versions increasing', async () => {
      const events = userEvents();
      const opts = { presence: { offlineDelay: 300 }, userPresenceFn: events.fn };
      const a = await node(opts);
      const b = await node(opts);

      const onA = await connect(a, 'uma');
      await events.until(e => e.userId === 'uma' && e.status === 'online');
      const onB = await connect(b, 'uma');
      await onA.close();
      // A marker user on A whose offline comes after uma's socket on A has been gone for the whole delay.
      const marker = await connect(a, 'marker-uma');
      await marker.close();
      await events.until(e => e.userId === 'marker-uma' && e.status === 'offline');
      expect(events.of('uma').map(e => e.status)).toEqual(['online']);

      await onB.close();
      await events.until(e => e.userId === 'uma' && e.status === 'offline');
      await connect(b, 'uma');
      await events.until(e => e.userId === 'uma' && e.status === 'online', events.seen.findIndex(e => e.userId === 'uma' && e.status === 'offline'));

      const uma = events.of('uma');
      expect(uma.map(e => e.status)).toEqual(['online', 'offline', 'online']);
      expect(uma[0]!.version).toBeLessThan(uma[1]!.version);
      expect(uma[1]!.version).toBeLessThan(uma[2]!.version);
    }, TEST_TIMEOUT_MS);

    test('a node shut down gracefully leaves its users to a live node, which sends offline after offlineDelay', async () => {
      const events = userEvents();
      const opts = { presence: { offlineDelay: 200, refreshInterval: 100, lease: 500 }, userPresenceFn: events.fn };
      const a = await node(opts);
      const b = await node(opts);
      await connect(b, 'leaver');
      await events.until(e => e.userId === 'leaver' && e.status === 'online');
      await b.stop();
      nodes.splice(nodes.indexOf(b), 1);
      const offline = await events.until(e => e.userId === 'leaver' && e.status === 'offline');
      expect(events.of('leaver')).toEqual([events.of('leaver')[0]!, { status: 'offline', version: offline.version }]);
      expect(events.of('leaver')[0]!.version).toBeLessThan(offline.version);
      expect(a.helper.getClients().size).toBe(0);
    }, TEST_TIMEOUT_MS);

    test('a user whose socket moves to another node within offlineDelay never goes offline', async () => {
      const events = userEvents();
      const opts = { presence: { offlineDelay: 400 }, userPresenceFn: events.fn };
      const a = await node(opts);
      const b = await node(opts);
      const onA = await connect(a, 'mover');
      await events.until(e => e.userId === 'mover' && e.status === 'online');
      await onA.close();
      await a.untilEmpty();
      await connect(b, 'mover');
      const marker = await connect(a, 'marker-mover');
      await marker.close();
      await events.until(e => e.userId === 'marker-mover' && e.status === 'offline');
      expect(events.of('mover').map(e => e.status)).toEqual(['online']);
    }, TEST_TIMEOUT_MS);
  });
};

for (const backend of [memoryBackend(), redisBackend(), redisClusterBackend()]) presenceSuite(backend);

test('room policies: true, false, names, * patterns and predicates', () => {
  expect(compileRoomPolicy(false)).toBeUndefined();
  expect(compileRoomPolicy([])).toBeUndefined();
  const all = compileRoomPolicy(true)!;
  expect(all('anything')).toBe(true);
  const listed = compileRoomPolicy(['lobby', 'chat:*', 'a.b*c'])!;
  expect(['lobby', 'chat:', 'chat:1', 'a.bXYc', 'a.bc'].map(listed)).toEqual([true, true, true, true, true]);
  expect(['lobby2', 'xchat:1', 'chat', 'aXbc', 'a.bcd'].map(listed)).toEqual([false, false, false, false, false]);
  const fn = compileRoomPolicy(room => room.length === 3)!;
  expect([fn('abc'), fn('abcd')]).toEqual([true, false]);
});

describe('presence on single Redis: leases and what is written', () => {
  let redis: TestRedis;
  const nodes: ITestNode[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
  }, 30_000);
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const n of nodes.splice(0)) await n.stop();
  });
  afterAll(() => redis.stop());

  const node = async (opts: Partial<IWebSocketServerOptions> = {}) => {
    const n = await startNode({ redisConnection: redis.helper(), authenticateFn: authenticateWithName, ...opts });
    nodes.push(n);
    return n;
  };
  const connect = async (url: string, userId: string) => {
    const c = await TestClient.connect(url, { token: `user:${userId}` });
    clients.push(c);
    return c;
  };
  const rawRedis = async () => {
    const client = redis.helper('inspector').getClient();
    await client.connect();
    return client;
  };
  /** Polls `read` until `done` holds (there is no event for "Redis expired a lease"); fails after `timeoutMs`. */
  const pollUntil = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
      await Bun.sleep(100);
    }
  };

  test('a node killed with SIGKILL is gone from getPresence within 10 s, its room hears presence:leave and its user goes offline', async () => {
    const events = userEvents();
    const a = await node({ presence: { rooms: true, events: true, refreshInterval: 1_000, lease: 3_000 }, userPresenceFn: events.fn });
    const victim = await startPresenceNode(redis.port);
    try {
      const watcher = await connect(a.url, 'watcher');
      await watcher.request('join', { rooms: ['lobby'] }, 'joined');
      const doomed = await connect(victim.url, 'doomed');
      // 'solo' is hosted by the victim alone: no live node refreshes it, only the lease hides the ghost.
      await doomed.request('join', { rooms: ['lobby', 'solo'] }, 'joined');
      await watcher.next(PRESENCE_JOIN, f => f.data.clientId === doomed.id);
      const online = JSON.parse((await victim.child.waitForLine(/^USER-PRESENCE (.*"doomed".*)$/))[1]!);
      expect(online).toMatchObject({ userId: 'doomed', status: 'online' });
      expect(sorted(await a.helper.getPresence('lobby')).users.map(u => u.userId)).toEqual(['doomed', 'watcher']);
      expect(await a.helper.getPresence('solo')).toEqual({ room: 'solo', connections: 1, users: [{ userId: 'doomed', connections: 1 }] });

      // The child runs the default lease (9 s): nothing of it runs after this line.
      process.kill(victim.child.pid, 'SIGKILL');
      const killedAt = Date.now();
      await victim.child.exited;
      const both = () => Promise.all([a.helper.getPresence('lobby'), a.helper.getPresence('solo')]);
      const after = await pollUntil(both, rooms => rooms.every(p => !p.users.some(u => u.userId === 'doomed')), 10_000);
      expect(Date.now() - killedAt).toBeLessThanOrEqual(10_000);
      expect(after).toEqual([
        { room: 'lobby', connections: 1, users: [{ userId: 'watcher', connections: 1 }] },
        { room: 'solo', connections: 0, users: [] },
      ]);

      // The live node cleans up after the dead one: the room hears it left, the backend that the user is offline.
      const leave = await watcher.next(PRESENCE_LEAVE, f => f.data.clientId === doomed.id && f.data.room === 'lobby', 15_000);
      expect(leave.data).toEqual({ room: 'lobby', clientId: doomed.id, userId: 'doomed' });
      const offline = await events.until(e => e.userId === 'doomed' && e.status === 'offline');
      expect(offline.version).toBeGreaterThan(online.version);
      expect(events.of('doomed')).toEqual([{ status: 'offline', version: offline.version }]);
    } finally {
      await victim.child.stop();
    }
  }, 40_000);

  test('rooms without presence write nothing to Redis, and a node with presence off sends it no presence command at all', async () => {
    const inspector = await rawRedis();
    try {
      await inspector.flushall();
      await inspector.config('RESETSTAT');
      const off = await node();
      const c = await connect(off.url, 'plain');
      await c.request('join', { rooms: ['plain-room'] }, 'joined');
      off.helper.send({ destination: 'plain-room', payload: { topic: 'hello', data: 1 } });
      await c.next('hello');
      await c.request('leave', { rooms: ['plain-room'] }, 'left');
      await c.close();
      await off.untilEmpty();
      const written = (stats: string) => [...stats.matchAll(/^cmdstat_(hset|zadd|sadd|hdel|zrem|srem|pexpire|del|evalsha|eval):/gm)].map(m => m[1]);
      expect(written(await inspector.info('commandstats'))).toEqual([]);
      expect(await inspector.keys('ws:presence*')).toEqual([]);

      const on = await node({ presence: { rooms: ['tracked'], events: true, refreshInterval: 100, lease: 400 } });
      const member = await connect(on.url, 'member');
      await member.request('join', { rooms: ['untracked', 'tracked'] }, 'joined');
      await member.next(PRESENCE_JOIN, f => f.data.room === 'tracked');
      // Several refreshes later (the lease's expiry moves on), still nothing but the tracked room's two keys.
      const leaseOf = () => inspector.zscore('ws:presence:room:{tracked}', on.helper.getServerId()).then(Number);
      const first = await leaseOf();
      await pollUntil(leaseOf, score => score > first + 150, 5_000);
      expect((await inspector.keys('ws:presence*')).sort()).toEqual(['ws:presence:room:{tracked}', `ws:presence:room:{tracked}:${on.helper.getServerId()}`]);
    } finally {
      await inspector.quit();
    }
  }, TEST_TIMEOUT_MS);

  test('a Redis that hangs cannot hang presence: shutdown() still ends, within the broker timeouts', async () => {
    const events = userEvents();
    const broker = { publishTimeout: 300, closeTimeout: 300 };
    const a = await node({ broker, presence: { rooms: true, events: true, refreshInterval: 100, lease: 400 }, userPresenceFn: events.fn });
    const c = await connect(a.url, 'stuck');
    await c.request('join', { rooms: ['hung'] }, 'joined');
    await c.next(PRESENCE_JOIN, f => f.data.room === 'hung');
    redis.pause();
    try {
      const started = Date.now();
      await a.stop();
      nodes.splice(nodes.indexOf(a), 1);
      // Every presence call fails after publishTimeout instead of waiting for Redis: a few of them in a row at most.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      redis.resume();
    }
  }, TEST_TIMEOUT_MS);

  test('after Redis loses its data, the next refresh writes presence again and users come online again with a higher version', async () => {
    const events = userEvents();
    const a = await node({ presence: { rooms: true, refreshInterval: 100, lease: 400 }, userPresenceFn: events.fn });
    const c = await connect(a.url, 'survivor');
    await c.request('join', { rooms: ['kept'] }, 'joined');
    const online = await events.until(e => e.userId === 'survivor');
    await pollUntil(() => a.helper.getPresence('kept'), p => p.connections === 1, 5_000);
    const inspector = await rawRedis();
    try {
      await inspector.flushall();
    } finally {
      await inspector.quit();
    }
    const again = await pollUntil(() => a.helper.getPresence('kept'), p => p.connections === 1, 5_000);
    expect(again).toEqual({ room: 'kept', connections: 1, users: [{ userId: 'survivor', connections: 1 }] });
    const second = await events.until(e => e.userId === 'survivor' && e.version > online.version);
    expect(second.status).toBe('online');
  }, TEST_TIMEOUT_MS);
});

describe('presence through the component and the options', () => {
  const recorded = userEvents();

  class RecordingUserPresenceProvider extends BaseProvider<TWebSocketUserPresenceFn> {
    constructor() {
      super({ scope: RecordingUserPresenceProvider.name });
    }

    value(): TWebSocketUserPresenceFn {
      return recorded.fn;
    }
  }

  test('USER_PRESENCE_HANDLER and SERVER_OPTIONS.presence reach the helper', async () => {
    const app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ presence: { rooms: ['ws-default'], events: true, offlineDelay: 50 } });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.USER_PRESENCE_HANDLER }).toProvider(RecordingUserPresenceProvider);
        a.component(WebSocketComponent);
      },
    });
    try {
      const client = await TestClient.connect(app.wsUrl(), { token: 'cora' });
      await recorded.until(e => e.userId === 'cora' && e.status === 'online');
      await client.next(PRESENCE_JOIN, f => f.data.clientId === client.id);
      expect(await getWebSocketHelper(app).getPresence('ws-default')).toEqual({ room: 'ws-default', connections: 1, users: [{ userId: 'cora', connections: 1 }] });
      await client.close();
      await recorded.until(e => e.userId === 'cora' && e.status === 'offline');
    } finally {
      await app.stop();
    }
  }, TEST_TIMEOUT_MS);

  test('presence options are checked at start-up, naming the option and what to do', () => {
    const base = { identifier: 'p', server: { pendingWebSockets: 0, publish: () => 0, upgrade: () => true }, authenticateFn: () => ({ userId: 'u' }) };
    const refusal = (presence: unknown): string => {
      try {
        resolveServerOptions({ ...base, presence } as IWebSocketServerOptions);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal({ rooms: ['a', 'b:*'], events: (room: string) => room === 'a', info: () => undefined, refreshInterval: 1_000, lease: 2_500, offlineDelay: 0 })).toBe('');
    expect(refusal({ rooms: 'lobby' })).toContain("'presence.rooms' is \"lobby\": must be true, false, a list of room names");
    expect(refusal({ events: [1] })).toContain("'presence.events' is an array of 1: must be true, false, a list of room names");
    expect(refusal({ lease: 6_000 })).toContain("'presence.lease' is 6000: presence.lease (6000) must be more than twice presence.refreshInterval (3000)");
    expect(refusal({ refreshInterval: 5_000 })).toContain("'presence.refreshInterval' is 5000: presence.lease (9000) must be more than twice");
    expect(refusal({ leese: 1 })).toContain("'presence.leese' is not an option (value 1): did you mean 'lease'?");
    expect(refusal({ info: 'name' })).toContain("'presence.info' is \"name\": must be a function");
  });
});
