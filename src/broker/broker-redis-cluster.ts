import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IBrokerLimits } from './broker.js';
import { RedisBroker } from './broker-redis.js';

/**
 * Redis Cluster broker: the same channels, envelope and interest tracking as `RedisBroker`,
 * with subscription change sets applied strictly one after another (overlapping SUBSCRIBEs
 * race ioredis's cluster ready check).
 */
export class RedisClusterBroker extends RedisBroker {
  override readonly kind: string = 'redis-cluster';

  constructor(redisConnection: DefaultRedisHelper, logger: Logger, limits: IBrokerLimits) {
    super(redisConnection, logger, limits);
    this.serializeChanges = true;
  }
}
