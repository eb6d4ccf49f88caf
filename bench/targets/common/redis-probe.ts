/**
 * A `RedisHelper` that counts every pub/sub message delivered to the connections duplicated
 * from it. Both WebSocket implementations subscribe on `getClient().duplicate()`, so this
 * measures what Redis sends each node without knowing either implementation's internals.
 */
import { RedisClusterHelper, RedisHelper, type DefaultRedisHelper } from '@venizia/ignis-helpers';

const COUNTED = new Set(['messageBuffer', 'pmessageBuffer', 'smessageBuffer']);

type TEmit = (event: string | symbol, ...args: unknown[]) => boolean;
interface IDuplicable {
  duplicate: (...args: unknown[]) => { emit: TEmit };
}

/** A Redis connection for a target plus the count of pub/sub messages it has received. */
export interface IProbedRedis {
  helper: DefaultRedisHelper;
  received(): number;
}

/** Where a target's Redis is: one redis-server, or the masters of a Redis Cluster. */
export type TRedisAt = { port: number } | { clusterPorts: number[] };

const connectHelper = (at: TRedisAt, name: string): DefaultRedisHelper =>
  'port' in at
    ? new RedisHelper({ name, host: '127.0.0.1', port: at.port, password: '', autoConnect: true })
    : new RedisClusterHelper({ name, nodes: at.clusterPorts.map(port => ({ host: '127.0.0.1', port })) });

/** Connects to the bench redis-server or Redis Cluster, instrumented (sharded messages count too). */
export const createProbedRedis = (at: TRedisAt, name: string): IProbedRedis => {
  const helper = connectHelper(at, name);
  const client = helper.getClient() as unknown as IDuplicable;
  const duplicate = client.duplicate.bind(client);
  let received = 0;
  client.duplicate = (...args: unknown[]) => {
    const copy = duplicate(...args);
    const emit = copy.emit.bind(copy);
    copy.emit = (event, ...rest) => {
      if (typeof event === 'string' && COUNTED.has(event)) received++;
      return emit(event, ...rest);
    };
    return copy;
  };
  return { helper, received: () => received };
};
