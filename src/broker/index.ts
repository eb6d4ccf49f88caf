import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IWebSocketBroker } from './broker';
import { InMemoryBroker } from './broker-memory';
import { RedisBroker } from './broker-redis';
import { RedisClusterBroker } from './broker-redis-cluster';
import { isClusterConnection } from './redis-connection';

export * from './broker';
export * from './broker-memory';
export * from './broker-redis';
export * from './broker-redis-cluster';
export { InterestBroker } from './interest-broker';

/** The backend for a connection: Redis Cluster, single Redis, or the in-process broker when none is given. */
export const createBroker = (opts: { redisConnection?: DefaultRedisHelper | null; logger: Logger }): IWebSocketBroker => {
  const { redisConnection, logger } = opts;
  if (!redisConnection) return new InMemoryBroker();
  return isClusterConnection(redisConnection) ? new RedisClusterBroker(redisConnection, logger) : new RedisBroker(redisConnection, logger);
};
