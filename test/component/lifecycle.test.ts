/**
 * Start and stop with the app: two app instances on one real redis-server deliver across
 * instances, and `app.stop()` alone closes clients with 1001, quits the Redis connections and
 * leaves nothing that keeps the process alive.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import type { RedisHelper } from '@venizia/ignis-helpers';
import { WebSocketBindingKeys, WebSocketCloseCodes, WebSocketComponent, getWebSocketHelper } from '../../src';
import { TestRedis } from '../support/redis';
import { TestClient } from '../support/ws-client';
import { NotificationService, StaticTokenAuthProvider, serviceKey } from './fixtures/providers';
import { TestApp } from './fixtures/test-app';

let redis: TestRedis;
let monitor: RedisHelper;
const apps: TestApp[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
  monitor = redis.helper('monitor');
  await monitor.connect();
});
afterAll(async () => {
  await monitor.disconnect();
  await redis.stop();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

const startNode = async (name: string): Promise<TestApp> => {
  const app = await TestApp.start({
    configure: a => {
      a.service(NotificationService);
      a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ identifier: name });
      a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(redis.helper(name));
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.component(WebSocketComponent);
    },
  });
  apps.push(app);
  return app;
};

const notifications = (a: TestApp) => a.get<NotificationService>({ key: serviceKey(NotificationService.name) });

/** Connections redis-server holds, not counting the monitor's own. */
const redisConnections = async (): Promise<number> => {
  const list = await monitor.execute<string>('CLIENT', ['LIST']);
  return list.trim().split('\n').length - 1;
};

describe('two app instances on one Redis', () => {
  test('room, broadcast and direct messages cross instances, each delivered exactly once', async () => {
    const nodeA = await startNode('node-a');
    const nodeB = await startNode('node-b');
    const ada = await TestClient.connect(nodeA.wsUrl(), { token: 'ada' });
    const bob = await TestClient.connect(nodeB.wsUrl(), { token: 'bob' });

    notifications(nodeA).notifyRoom('ws-notification', 'from A');
    expect((await ada.next('notification')).data).toEqual({ text: 'from A' });
    expect((await bob.next('notification')).data).toEqual({ text: 'from A' });

    notifications(nodeB).broadcast('from B');
    expect((await ada.next('announcement')).data).toEqual({ text: 'from B' });
    expect((await bob.next('announcement')).data).toEqual({ text: 'from B' });

    getWebSocketHelper(nodeA).send({ destination: bob.id, payload: { topic: 'direct', data: 'to bob' } });
    expect((await bob.next('direct')).data).toBe('to bob');

    // Redis keeps per-connection order: a duplicate of an earlier message would arrive before this marker.
    notifications(nodeA).broadcast('marker');
    await ada.next('announcement', f => f.data.text === 'marker');
    await bob.next('announcement', f => f.data.text === 'marker');
    for (const client of [ada, bob]) expect(client.all('notification')).toHaveLength(1);
    expect(bob.all('direct')).toHaveLength(1);
    expect(ada.all('direct')).toHaveLength(0);
    await ada.close();
    await bob.close();
  });
});

describe('app.stop()', () => {
  test('closes every client with 1001 and quits the helper Redis connections', async () => {
    const before = await redisConnections();
    const app = await startNode('node-stop');
    expect(await redisConnections()).toBe(before + 2);
    const ada = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const waiting = await TestClient.open(app.wsUrl());

    await app.stop();
    apps.splice(apps.indexOf(app), 1);
    for (const client of [ada, waiting]) {
      const closed = await client.closed;
      expect(closed.code).toBe(WebSocketCloseCodes.GOING_AWAY);
    }
    expect(await redisConnections()).toBe(before);
    expect(app.isBound({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE })).toBe(false);
    await expect(fetch(app.url('/hello'))).rejects.toThrow();
  });

  test('leaves no open handle: a process that only calls app.stop() exits on its own', async () => {
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/fixtures/stop-then-exit.ts`], {
      cwd: process.cwd(),
      env: { ...process.env, TEST_REDIS_PORT: String(redis.port) },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    // A bound on failure, not a wait for success: a leaked handle keeps the child alive forever.
    let leaked = false;
    const guard = setTimeout(() => {
      leaked = true;
      child.kill('SIGKILL');
    }, 20_000);
    const exitCode = await child.exited;
    clearTimeout(guard);
    const output = await stdout;
    expect(leaked, `child still alive 20 s after app.stop(); stderr:\n${(await stderr).slice(-2000)}`).toBe(false);
    expect(exitCode).toBe(0);
    const result = output.split('\n').find(line => line.startsWith('RESULT '));
    expect(JSON.parse(result!.slice('RESULT '.length))).toEqual({ code: 1001, reason: 'Server shutting down' });
  }, 30_000);
});
