import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { Cluster, Redis } from 'ioredis';
import { within } from '../timing/within.js';

/** A connection duplicated from the app's Redis helper: single node or Cluster. */
export type TRedisClient = Redis | Cluster;

/** True for a Cluster client (ioredis marks it with `isCluster`). */
export const isCluster = (client: TRedisClient): client is Cluster => 'isCluster' in client && client.isCluster === true;

/** True when the app's helper holds a Redis Cluster connection. */
export const isClusterConnection = (helper: DefaultRedisHelper): boolean => isCluster(helper.getClient());

/** `host:port` (or the cluster's startup nodes) of the app's Redis connection, for error messages. */
export const describeTarget = (helper: DefaultRedisHelper): string => {
  const client = helper.getClient();
  if (isCluster(client)) return 'a Redis Cluster';
  return `${client.options.host ?? '?'}:${client.options.port ?? '?'}`;
};

/** Backoff that never gives up: 100 ms doubling to 2 s, so a Redis restart is always survived. */
const retryForever = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000);

/**
 * Duplicates the app's connection for subscribing (publishing: `duplicateForPublish`). The app's helper may be configured to stop
 * retrying (Ignis's `RedisHelper` defaults to `maxRetry: 0`); the duplicates override that,
 * because a WebSocket node must resume cross-node delivery after Redis comes back on its own.
 * `sharded` (Cluster only): one more connection per master for SSUBSCRIBE, each listening on the
 * slots its master owns; ioredis moves them when slots move and resubscribes after a reconnect.
 */
export const duplicateForPubSub = (helper: DefaultRedisHelper, opts: { sharded?: boolean } = {}): TRedisClient => {
  const client = helper.getClient();
  if (isCluster(client)) {
    return client.duplicate([], {
      lazyConnect: true,
      clusterRetryStrategy: retryForever,
      enableOfflineQueue: true,
      shardedSubscribers: opts.sharded === true,
    });
  }
  return client.duplicate({
    lazyConnect: true,
    retryStrategy: retryForever,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResubscribe: true,
  });
};

/**
 * Duplicates the app's connection for publishing. Retries forever like `duplicateForPubSub`, but
 * holds nothing itself: ioredis's offline queue has no bound, so it is off and publishes made
 * while Redis is away wait in the broker's bounded `PublishBuffer` instead; and a connection that
 * closes fails what it had written (the buffer counts it lost) rather than keeping it to resend
 * after reconnecting, possibly twice. Once dropped (a stalled connection reset, a QUIT that got
 * no answer), the socket is destroyed at once rather than after ioredis's 2 s grace for a peer
 * that cannot answer anyway: that is what fails the unanswered publishes and frees them.
 */
export const duplicateForPublish = (helper: DefaultRedisHelper): TRedisClient => {
  const client = helper.getClient();
  if (isCluster(client)) {
    return client.duplicate([], {
      lazyConnect: true,
      clusterRetryStrategy: retryForever,
      enableOfflineQueue: false,
      redisOptions: { ...client.options.redisOptions, disconnectTimeout: 0 },
    });
  }
  return client.duplicate({
    lazyConnect: true,
    retryStrategy: retryForever,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    disconnectTimeout: 0,
  });
};

/** Connects a lazily created duplicate and resolves once it is ready. */
export const connectClient = async (client: TRedisClient): Promise<void> => {
  if (client.status === 'ready') return;
  if (client.status === 'wait' || client.status === 'end') {
    await client.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      client.off('ready', onReady);
      reject(new Error('Redis connection ended before it was ready'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
};

/**
 * Quits politely, or disconnects if the connection cannot answer: not ready, or no answer to
 * QUIT within `timeoutMs` (Redis paused or unreachable), so a shutdown never hangs on Redis.
 */
export const closeClient = async (client: TRedisClient, timeoutMs: number): Promise<void> => {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  const quit = client.quit().then(
    () => true,
    () => false,
  );
  if (!(await within(quit, timeoutMs, false))) client.disconnect();
};
