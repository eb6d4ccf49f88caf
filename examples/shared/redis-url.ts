/**
 * `REDIS_URL` -> an Ignis `RedisHelper`, shared by the examples.
 * Accepts `redis://[[user]:password@]host[:port][/db]`.
 */
import { RedisHelper } from '@venizia/ignis-helpers';

export const redisFromUrl = (redisUrl: string, name: string): RedisHelper => {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    throw new Error(`REDIS_URL must look like redis://host:port, got '${redisUrl}'`);
  }
  if (url.protocol !== 'redis:') throw new Error(`REDIS_URL must look like redis://host:port, got '${redisUrl}'`);
  return new RedisHelper({
    name,
    host: url.hostname,
    port: Number(url.port || 6379),
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: decodeURIComponent(url.password),
    database: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    // Nothing connects through this helper itself: the component and the emitter open their own connections from it.
    autoConnect: false,
  });
};
