/**
 * Whether Redis is up for a broker's connections. ioredis's `status` alone is not enough: a Redis
 * that hangs (paused, swapping, a half-open TCP path) keeps its connections `ready` while
 * answering nothing, so each connection must also answer a PING in time. PING is allowed on a
 * subscriber connection, and answered in order after the SUBSCRIBEs sent before it.
 */
import type { TRedisClient } from './redis-connection.js';
import { within } from '../timing/within.js';

/** True when `client` is ready and answers PING within `timeoutMs`. */
export const answersPing = async (client: TRedisClient, timeoutMs: number): Promise<boolean> => {
  if (client.status !== 'ready') return false;
  const answered = client.ping().then(
    () => true,
    () => false,
  );
  return within(answered, timeoutMs, false);
};

/** True when every connection given is ready and answers PING within `timeoutMs`; false when there is none. */
export const probeRedis = async (clients: ReadonlyArray<TRedisClient | undefined>, timeoutMs: number): Promise<boolean> => {
  const present = clients.filter((client): client is TRedisClient => client !== undefined);
  if (present.length === 0) return false;
  const answers = await Promise.all(present.map(client => answersPing(client, timeoutMs)));
  return answers.every(Boolean);
};
