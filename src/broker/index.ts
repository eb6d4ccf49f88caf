import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IBrokerLimits, IWebSocketBroker } from './broker.js';
import { InMemoryBroker } from './broker-memory.js';
import { RedisBroker } from './broker-redis.js';
import { RedisClusterBroker } from './broker-redis-cluster.js';
import { isClusterConnection } from './redis-connection.js';
import { presenceTimings, type IPresenceStore } from './presence.js';
import { InMemoryPresenceStore } from './presence-memory.js';
import { RedisPresenceStore } from './presence-redis.js';

export * from './broker.js';
export * from './broker-memory.js';
export * from './broker-redis.js';
export * from './broker-redis-cluster.js';
export { InterestBroker } from './interest-broker.js';
export { PublishBuffer, type IPublishTransport } from './publish-buffer.js';
export * from './presence.js';
export type { IHistoryEntry, IHistoryPolicy, IHistoryQuery, IHistoryRead } from './history.js';
export { InMemoryPresenceHub, InMemoryPresenceStore } from './presence-memory.js';
export { RedisPresenceStore, PresenceKeys } from './presence-redis.js';

/**
 * The presence store for a connection: Redis (single or Cluster: one implementation, every key
 * hash-tagged), or the process's in-memory presence when none is given. `lease` is
 * `presence.lease`; `commandTimeout` and `closeTimeout` bound every wait for Redis.
 */
export const createPresenceStore = (opts: {
  redisConnection?: DefaultRedisHelper | null;
  logger: Logger;
  lease: number;
  /** ms a Redis call may take before it fails (the broker's `publishTimeout`; 0: no limit). */
  commandTimeout: number;
  closeTimeout: number;
}): IPresenceStore => {
  const { redisConnection, logger, lease, commandTimeout, closeTimeout } = opts;
  const timings = presenceTimings(lease);
  return redisConnection ? new RedisPresenceStore(redisConnection, timings, { commandTimeout, closeTimeout }, logger) : new InMemoryPresenceStore(timings);
};

/**
 * The backend for a connection: Redis Cluster, single Redis, or the in-process broker when none
 * is given (which holds nothing, so `limits` apply to Redis only).
 */
export const createBroker = (opts: { redisConnection?: DefaultRedisHelper | null; logger: Logger; limits: IBrokerLimits }): IWebSocketBroker => {
  const { redisConnection, logger, limits } = opts;
  if (!redisConnection) return new InMemoryBroker();
  return isClusterConnection(redisConnection)
    ? new RedisClusterBroker(redisConnection, logger, limits)
    : new RedisBroker(redisConnection, logger, limits);
};
