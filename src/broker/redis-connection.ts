import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { Cluster, Redis } from 'ioredis';

/** A connection duplicated from the app's Redis helper: single node or Cluster. */
export type TRedisClient = Redis | Cluster;

const isCluster = (client: TRedisClient): client is Cluster => 'isCluster' in client && client.isCluster === true;

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
 * Duplicates the app's connection for pub/sub. The app's helper may be configured to stop
 * retrying (Ignis's `RedisHelper` defaults to `maxRetry: 0`); the duplicates override that,
 * because a WebSocket node must resume cross-node delivery after Redis comes back on its own.
 */
export const duplicateForPubSub = (helper: DefaultRedisHelper): TRedisClient => {
  const client = helper.getClient();
  if (isCluster(client)) {
    return client.duplicate([], {
      lazyConnect: true,
      clusterRetryStrategy: retryForever,
      enableOfflineQueue: true,
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

/** Quits politely, or disconnects if the connection cannot answer. */
export const closeClient = async (client: TRedisClient): Promise<void> => {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
};
