import type { DefaultRedisHelper, Logger } from '@venizia/ignis-helpers';
import type { IWebSocketBroker } from './broker';
import { InMemoryBroker } from './broker-memory';
import { RedisBroker } from './broker-redis';

export * from './broker';
export * from './broker-memory';
export * from './broker-redis';

/** Redis when a connection is given, otherwise the in-process broker. */
export const createBroker = (opts: {
  redisConnection?: DefaultRedisHelper | null;
  logger: Logger;
}): IWebSocketBroker =>
  opts.redisConnection ? new RedisBroker(opts.redisConnection, opts.logger) : new InMemoryBroker();
