import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IBrokerLimits, IWebSocketBroker } from './broker';
import { InMemoryBroker } from './broker-memory';
import { RedisBroker } from './broker-redis';
import { RedisClusterBroker } from './broker-redis-cluster';
import { isClusterConnection } from './redis-connection';

export * from './broker';
export * from './broker-memory';
export * from './broker-redis';
export * from './broker-redis-cluster';
export { InterestBroker } from './interest-broker';
export { PublishBuffer, type IPublishTransport } from './publish-buffer';

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
