/**
 * The backends the cross-node suite runs on: helpers in one process sharing the in-process hub,
 * a single real redis-server, and a real three-master Redis Cluster. Each starts and stops what
 * it needs by PID; a test only asks it for one more node's `redisConnection`, or for a foreign
 * listener on some channels (`listen`) to see what was published where.
 */
import type { DefaultRedisHelper, RedisClusterHelper, RedisHelper } from '@venizia/ignis-helpers';
import { InMemoryBroker } from '../../src';
import { connectClient } from '../../src/broker/redis-connection';
import { TestRedis } from '../support/redis';
import { TestRedisCluster } from '../support/redis-cluster';

/** What a foreign subscriber heard on its channels, in arrival order. */
export interface IRawListener {
  readonly heard: { channel: string; text: string }[];
  /** Resolves with the first text heard (or to come) that satisfies `match`. */
  until(match: (heard: { channel: string; text: string }) => boolean): Promise<{ channel: string; text: string }>;
  stop(): Promise<void>;
}

/** Records what arrives and wakes whoever awaits a matching text; `stop` releases the subscriber. */
const rawListener = (stop: () => Promise<void>) => {
  const heard: { channel: string; text: string }[] = [];
  let waiters: { match: (h: { channel: string; text: string }) => boolean; resolve: (h: { channel: string; text: string }) => void }[] = [];
  const listener: IRawListener & { push(channel: string, text: string): void } = {
    heard,
    push(channel, text) {
      const entry = { channel, text };
      heard.push(entry);
      const pending = waiters;
      waiters = [];
      for (const w of pending) {
        if (w.match(entry)) w.resolve(entry);
        else waiters.push(w);
      }
    },
    until: match => {
      const found = heard.find(match);
      return found ? Promise.resolve(found) : new Promise(resolve => waiters.push({ match, resolve }));
    },
    stop,
  };
  return listener;
};

/** A plain (non-cluster) connection subscribed to `channels` with classic SUBSCRIBE. */
const redisListener = async (helper: RedisHelper, channels: string[]): Promise<IRawListener> => {
  const sub = helper.getClient();
  await sub.connect();
  const listener = rawListener(async () => {
    await sub.quit();
  });
  sub.on('message', (channel: string, text: string) => listener.push(channel, text));
  await sub.subscribe(...channels);
  return listener;
};

/**
 * A Cluster connection listening on `channels` with SSUBSCRIBE, as the Cluster broker does:
 * sharded messages reach only subscribers on the channel's own shard.
 */
const shardedListener = async (helper: RedisClusterHelper, channels: string[]): Promise<IRawListener> => {
  const app = helper.getClient();
  const sub = app.duplicate([], { lazyConnect: true, shardedSubscribers: true });
  const listener = rawListener(async () => {
    await sub.quit();
    app.disconnect();
  });
  sub.on('smessage', (channel: string, text: string) => listener.push(channel, text));
  await connectClient(sub);
  // One command per channel: a SSUBSCRIBE naming channels of different hash slots is refused.
  await Promise.all(channels.map(channel => sub.ssubscribe(channel)));
  return listener;
};

export interface ICrossNodeBackend {
  /** Shown in every test name. */
  readonly name: string;
  /**
   * Whether a node subscribes only to the channels of the rooms, users and clients it hosts
   * (Redis). The in-process hub tracks no interest: every node receives every message.
   */
  readonly tracksInterest: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The `redisConnection` for one more node or emitter; `undefined` puts it on the in-process hub. */
  connection(): DefaultRedisHelper | undefined;
  /**
   * Publishes raw texts on a channel in order, as a broken or foreign publisher would. Only a
   * backend with a wire has one: the in-process hub carries typed messages from this package alone.
   */
  readonly publishRaw?: (channel: string, texts: string[]) => Promise<void>;
  /** Subscribes to `channels` as a foreign listener would; resolves once it listens. Every backend has one. */
  listen(channels: string[]): Promise<IRawListener>;
}

/** Several helpers in one process without `redisConnection`: they meet in the shared in-process hub. */
export const memoryBackend = (): ICrossNodeBackend => ({
  name: 'in-memory',
  tracksInterest: false,
  start: async () => {},
  stop: async () => {},
  connection: () => undefined,
  // A broker of its own in the process-wide hub: it hears every message, kept when on `channels`.
  listen: async channels => {
    const broker = new InMemoryBroker();
    const listener = rawListener(() => broker.stop());
    await broker.start({
      message: (message, channel) => {
        if (channels.includes(channel)) listener.push(channel, JSON.stringify(message));
      },
      malformed: () => {},
    });
    return listener;
  },
});

/** A real redis-server on a free loopback port; every node gets its own app-side `RedisHelper`. */
export const redisBackend = (): ICrossNodeBackend => {
  let redis: TestRedis | undefined;
  const started = () => {
    if (!redis) throw new Error('the Redis backend is used before start()');
    return redis;
  };
  return {
    name: 'single Redis',
    tracksInterest: true,
    start: async () => {
      redis = await TestRedis.start();
    },
    stop: async () => {
      await redis?.stop();
      redis = undefined;
    },
    connection: () => started().helper(),
    publishRaw: async (channel, texts) => {
      const raw = started().helper('raw-publisher').getClient();
      await raw.connect();
      for (const text of texts) await raw.publish(channel, text);
      await raw.quit();
    },
    listen: channels => redisListener(started().helper('raw-subscriber'), channels),
  };
};

/** A real three-master Redis Cluster; every node gets its own `RedisClusterHelper`. */
export const redisClusterBackend = (): ICrossNodeBackend => {
  let cluster: TestRedisCluster | undefined;
  const connections: DefaultRedisHelper[] = [];
  const started = () => {
    if (!cluster) throw new Error('the Redis Cluster backend is used before start()');
    return cluster;
  };
  return {
    name: 'Redis Cluster',
    tracksInterest: true,
    start: async () => {
      cluster = await TestRedisCluster.start();
    },
    stop: async () => {
      for (const connection of connections.splice(0)) connection.getClient().disconnect();
      await cluster?.stop();
      cluster = undefined;
    },
    connection: () => {
      const helper = started().helper();
      connections.push(helper);
      return helper;
    },
    // SPUBLISH, as the Cluster broker publishes: it goes to the master owning the channel's slot,
    // in order, and reaches the nodes' sharded subscriptions (a classic PUBLISH would not).
    publishRaw: async (channel, texts) => {
      const raw = started().helper('raw-publisher').getClient();
      await connectClient(raw);
      for (const text of texts) await raw.spublish(channel, text);
      await raw.quit();
    },
    listen: channels => shardedListener(started().helper('raw-subscriber'), channels),
  };
};
