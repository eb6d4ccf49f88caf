import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IBrokerLimits, IWebSocketBroker } from './broker.js';
import { InMemoryBroker } from './broker-memory.js';
import { RedisBroker } from './broker-redis.js';
import { RedisClusterBroker } from './broker-redis-cluster.js';
import { isClusterConnection } from './redis-connection.js';

export * from './broker.js';
export * from './broker-memory.js';
export * from './broker-redis.js';
export * from './broker-redis-cluster.js';
export { InterestBroker } from './interest-broker.js';
export { PublishBuffer, type IPublishTransport } from './publish-buffer.js';

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
