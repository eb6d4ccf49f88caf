/**
 * A `RedisHelper` that counts every pub/sub message delivered to the connections duplicated
 * from it. Both WebSocket implementations subscribe on `getClient().duplicate()`, so this
 * measures what Redis sends each node without knowing either implementation's internals.
 */
import { RedisHelper } from '@venizia/ignis-helpers';

const COUNTED = new Set(['messageBuffer', 'pmessageBuffer', 'smessageBuffer']);

type TEmit = (event: string | symbol, ...args: unknown[]) => boolean;
interface IDuplicable {
  duplicate: (...args: unknown[]) => { emit: TEmit };
}

/** A Redis connection for a target plus the count of pub/sub messages it has received. */
export interface IProbedRedis {
  helper: RedisHelper;
  received(): number;
}

/** Connects to the bench redis-server on `port`, instrumented. */
export const createProbedRedis = (port: number, name: string): IProbedRedis => {
  const helper = new RedisHelper({ name, host: '127.0.0.1', port, password: '', autoConnect: true });
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
