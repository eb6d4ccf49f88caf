/**
 * One behavioural suite run against every broker implementation: in-memory, a real Redis and a
 * real three-master Redis Cluster (sharded pub/sub; more of it in broker-redis-cluster.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Logger, type RedisClusterHelper } from '@venizia/ignis-helpers';
import {
  InMemoryBroker,
  InMemoryHub,
  RedisBroker,
  RedisClusterBroker,
  WebSocketChannels,
  WebSocketMessageTypes,
  resolveBrokerOptions,
  type IRedisSocketMessage,
  type IWebSocketBroker,
} from '../../src';
import { TestRedis, redisHelperAt } from '../support/redis';
import { TestRedisCluster } from '../support/redis-cluster';

let redis: TestRedis;
let cluster: TestRedisCluster;
const clusterHelpers: RedisClusterHelper[] = [];
beforeAll(async () => {
  [redis, cluster] = await Promise.all([TestRedis.start(), TestRedisCluster.start()]);
}, 30_000);
afterAll(async () => {
  for (const helper of clusterHelpers.splice(0)) helper.getClient().disconnect();
  await Promise.all([redis.stop(), cluster.stop()]);
}, 20_000);

const logger = Logger.get('broker-suite');
const backends: [string, () => IWebSocketBroker][] = [
  ['memory', (() => {
    let hub: InMemoryHub | undefined;
    return () => new InMemoryBroker((hub ??= new InMemoryHub()));
  })()],
  ['redis', () => new RedisBroker(redis.helper(), logger, resolveBrokerOptions())],
  ['redis-cluster', () => {
    const helper = cluster.helper();
    clusterHelpers.push(helper);
    return new RedisClusterBroker(helper, logger, resolveBrokerOptions());
  }],
];

/** A started broker that records what it receives and lets a test await the next message. */
const listening = async (make: () => IWebSocketBroker) => {
  const broker = make();
  const received: IRedisSocketMessage[] = [];
  let wake: (() => void) | undefined;
  const malformed: string[] = [];
  await broker.start({
    message: (m: IRedisSocketMessage) => {
      received.push(m);
      wake?.();
    },
    malformed: channel => {
      malformed.push(channel);
      wake?.();
    },
  });
  const waitFor = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${received.length}`);
      await new Promise<void>(resolve => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  return { broker, received, malformed, waitFor };
};

/**
 * (S)SUBSCRIBE and (S)UNSUBSCRIBE commands the backend's servers have executed so far (Redis: INFO
 * commandstats, summed over the masters of a Cluster); the in-memory broker has no server.
 */
const subscriptionCommands = async (backend: string): Promise<number> => {
  if (backend === 'memory') return 0;
  const ports = backend === 'redis-cluster' ? cluster.ports : [redis.port];
  let total = 0;
  for (const port of ports) {
    const raw = redisHelperAt(port, 'commandstats').getClient();
    try {
      await raw.connect();
      const info = await raw.info('commandstats');
      const calls = (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
      total += calls('subscribe') + calls('unsubscribe') + calls('ssubscribe') + calls('sunsubscribe');
    } finally {
      raw.disconnect();
    }
  }
  return total;
};

const message = (target: string, event: string): IRedisSocketMessage => ({
  serverId: 'test',
  type: WebSocketMessageTypes.ROOM,
  target,
  event,
  data: { n: 1 },
});

for (const [name, make] of backends) {
  describe(`broker: ${name}`, () => {
    test('subscribes to the broadcast channel on start and delivers across brokers', async () => {
      const a = await listening(make);
      const b = await listening(make);
      await b.broker.publish(WebSocketChannels.BROADCAST, { ...message('x', 'hello'), type: 'broadcast' });
      await a.waitFor(1);
      expect(a.received[0]!.event).toBe('hello');
      await a.broker.stop();
      await b.broker.stop();
    });

    test('subscribe and unsubscribe within one tick cost nothing', async () => {
      const a = await listening(make);
      await a.broker.settled();
      const commandsBefore = await subscriptionCommands(name);
      const channel = WebSocketChannels.forUser({ userId: 'u' });
      a.broker.subscribe(channel);
      a.broker.unsubscribe(channel);
      await a.broker.settled();
      // Netted within the tick: the server never saw a SUBSCRIBE or UNSUBSCRIBE for it.
      expect(await subscriptionCommands(name)).toBe(commandsBefore);
      // The in-memory broker subscribes to nothing (it receives everything in the process).
      expect(a.broker.getSubscribedChannels()).toEqual(a.broker.tracksInterest ? [WebSocketChannels.BROADCAST] : []);
      await a.broker.stop();
      expect(a.broker.getSubscribedChannels()).toEqual([]);
    });
  });
}

test('a Redis broker that cannot reach Redis at start fails with a message naming host and port', async () => {
  const { freePort } = await import('../support/ports');
  const port = await freePort();
  const { RedisHelper } = await import('@venizia/ignis-helpers');
  const broker = new RedisBroker(new RedisHelper({ name: 'nowhere', host: '127.0.0.1', port, password: '', autoConnect: false }), logger, resolveBrokerOptions());
  const failure = await broker.start({ message: () => undefined, malformed: () => undefined }).catch((e: Error) => e);
  expect(String((failure as Error).message)).toContain(`127.0.0.1:${port}`);
  expect(broker.getSubscribedChannels()).toEqual([]);
});

test('in-memory: every other listening broker of the process receives each message, the publisher never', async () => {
  const hub = new InMemoryHub();
  const received = new Map<string, string[]>();
  const make = async (id: string, listen: boolean) => {
    const broker = new InMemoryBroker(hub);
    received.set(id, []);
    await broker.start(listen ? { message: (m: IRedisSocketMessage) => void received.get(id)!.push(m.event), malformed: () => undefined } : undefined);
    return broker;
  };
  const a = await make('a', true);
  const b = await make('b', true);
  const publisher = await make('p', false);
  await a.publish(WebSocketChannels.forRoom({ room: 'x' }), message('x', 'from-a'));
  await publisher.publish(WebSocketChannels.forUser({ userId: 'u' }), message('u', 'from-p'));
  await Bun.sleep(0);
  expect(received.get('a')).toEqual(['from-p']);
  expect(received.get('b')).toEqual(['from-a', 'from-p']);
  expect(received.get('p')).toEqual([]);
  await b.stop();
  await publisher.publish(WebSocketChannels.BROADCAST, message('x', 'after-stop'));
  await Bun.sleep(0);
  expect(received.get('b')).toEqual(['from-a', 'from-p']);
  for (const broker of [a, publisher]) await broker.stop();
});

test('redis: interest is reference-counted: only brokers that subscribed receive, until the last reference goes', async () => {
  const make = backends[1]![1];
  const hosting = await listening(make);
  const other = await listening(make);
  const publisher = make();
  await publisher.start();
  const channel = WebSocketChannels.forRoom({ room: 'r1' });
  hosting.broker.subscribe(channel);
  hosting.broker.subscribe(channel);
  await Bun.sleep(0);
  expect(hosting.broker.getSubscribedChannels()).toContain(channel);
  expect(other.broker.getSubscribedChannels()).not.toContain(channel);
  // Redis acknowledges subscriptions asynchronously; a broadcast round trip orders after it.
  await publisher.publish(WebSocketChannels.BROADCAST, { ...message('x', 'sync'), type: 'broadcast' });
  await hosting.waitFor(1);
  await publisher.publish(channel, message('r1', 'one'));
  await hosting.waitFor(2);
  hosting.broker.unsubscribe(channel);
  await publisher.publish(channel, message('r1', 'two'));
  await hosting.waitFor(3);
  hosting.broker.unsubscribe(channel);
  await Bun.sleep(0);
  expect(hosting.broker.getSubscribedChannels()).not.toContain(channel);
  await publisher.publish(channel, message('r1', 'three'));
  await publisher.publish(WebSocketChannels.BROADCAST, { ...message('x', 'sync2'), type: 'broadcast' });
  await hosting.waitFor(4);
  await other.waitFor(2);
  expect(hosting.received.map(m => m.event)).toEqual(['sync', 'one', 'two', 'sync2']);
  expect(other.received.map(m => m.event)).toEqual(['sync', 'sync2']);
  for (const b of [hosting.broker, other.broker, publisher]) await b.stop();
});

test('redis: the broker validates its own envelope: garbage on a subscribed channel is reported as malformed, never delivered', async () => {
  const hosting = await listening(backends[1]![1]);
  const raw = redis.helper().getClient().duplicate();
  const garbage = ['not json', '[]', '{"serverId":"x","type":"room","event":"e"}', '{"serverId":"x","type":"nope","event":"e"}', '{"type":"broadcast","event":"e"}'];
  for (const text of garbage) await raw.publish(WebSocketChannels.BROADCAST, text);
  await raw.publish(WebSocketChannels.BROADCAST, JSON.stringify({ serverId: 'x', type: 'broadcast', event: 'fine', data: 1, extra: 'dropped' }));
  await hosting.waitFor(1);
  expect(hosting.malformed).toEqual(garbage.map(() => WebSocketChannels.BROADCAST));
  expect(hosting.received).toEqual([{ serverId: 'x', type: 'broadcast', event: 'fine', data: 1 }]);
  raw.disconnect();
  await hosting.broker.stop();
});
