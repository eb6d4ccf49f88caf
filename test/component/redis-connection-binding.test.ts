/**
 * REDIS_CONNECTION is checked by shape, not `instanceof`: the helper of the app's own copy of
 * `@venizia/ignis-helpers` (a class this package has never seen) is used for Redis, and a value
 * of the wrong shape still fails start-up with the error that says what to bind.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'bun:test';
import { DefaultRedisHelper, type RedisHelper } from '@venizia/ignis-helpers';
import { WebSocketBindingKeys, WebSocketComponent, WebSocketEmitter } from '../../src';
import { isRedisHelperLike } from '../../src/component/resolve-options';
import { freePort } from '../support/ports';
import { TestRedis } from '../support/redis';
import { TestClient } from '../support/ws-client';
import { StaticTokenAuthProvider } from './fixtures/providers';
import { TestApp } from './fixtures/test-app';

/** What a RedisHelper from another copy of the helpers package looks like from here: same shape, another class. */
class ForeignRedisHelper {
  constructor(private readonly inner: RedisHelper) {}
  getClient() {
    return this.inner.getClient();
  }
}

let redis: TestRedis;
let app: TestApp | undefined;

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

test('a Redis helper of another class with the same shape is accepted and carries cross-process delivery', async () => {
  const foreign = new ForeignRedisHelper(redis.helper('app-copy'));
  expect(foreign instanceof DefaultRedisHelper).toBe(false);
  app = await TestApp.start({
    configure: a => {
      a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(foreign);
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.component(WebSocketComponent);
    },
  });
  const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
  // The emitter only reaches the client if the node subscribed through the foreign helper's Redis.
  const emitter = new WebSocketEmitter({ redisConnection: redis.helper('emitter') });
  await emitter.toClient({ clientId: client.id, event: 'ping', data: { n: 1 } });
  expect((await client.next('ping')).data).toEqual({ n: 1 });
  await emitter.shutdown();
  await client.close();
});

test('a value whose getClient() is not an ioredis client fails start-up naming the key and what to bind', async () => {
  app = TestApp.create(
    {
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue({ getClient: () => ({ host: '127.0.0.1', port: 6379 }) });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
      },
    },
    await freePort(),
  );
  const error = await app.start().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect(error!.message).toContain(WebSocketBindingKeys.REDIS_CONNECTION);
  expect(error!.message).toContain('DefaultRedisHelper');
  expect(error!.message).toContain('getClient() returns an ioredis Redis or Cluster');
});

test('isRedisHelperLike: an Ignis RedisHelper yes; no getClient, a throwing one or a plain object client no', () => {
  expect(isRedisHelperLike(redis.helper('shape'))).toBe(true);
  expect(isRedisHelperLike(new ForeignRedisHelper(redis.helper('shape-2')))).toBe(true);
  expect(isRedisHelperLike({ host: '127.0.0.1', port: 6379 })).toBe(false);
  expect(isRedisHelperLike({ getClient: () => { throw new Error('not connected'); } })).toBe(false);
  expect(isRedisHelperLike({ getClient: () => ({ duplicate() {}, publish() {}, quit() {} }) })).toBe(false);
  expect(isRedisHelperLike(null)).toBe(false);
});
