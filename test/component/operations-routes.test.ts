/**
 * The component's operator routes over real HTTP on the app's own Bun server: Prometheus metrics
 * at `metricsPath` after real WebSocket traffic, and the readiness route at `healthPath` while
 * the test's redis-server is paused (SIGSTOP), before the WebSocket server finished starting,
 * and once it is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { BindingScopes } from '@venizia/ignis';
import { WebSocketBindingKeys, WebSocketCloseCodes, WebSocketComponent, WebSocketErrorCodes, getWebSocketHelper } from '../../src';
import { freePort } from '../support/ports';
import { scrape } from '../support/prometheus';
import { TestRedis } from '../support/redis';
import { TestClient } from '../support/ws-client';
import { RemovalProbeProvider, RemovalProbeService, StaticTokenAuthProvider, serviceKey } from './fixtures/providers';
import { TestApp, type TAppStep } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const withComponent =
  (options: Record<string, unknown>, extra?: TAppStep): TAppStep =>
  a => {
    a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue(options);
    a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
    a.service(RemovalProbeService).setScope(BindingScopes.SINGLETON);
    a.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(RemovalProbeProvider);
    extra?.(a);
    a.component(WebSocketComponent);
  };

const probeOf = (a: TestApp) => a.get<RemovalProbeService>({ key: serviceKey(RemovalProbeService.name) });

describe('GET metricsPath', () => {
  test('counts the real traffic: connections, messages, an auth failure, a rate-limit drop', async () => {
    // One token per frame and no refill to speak of: authenticate + one frame pass, the next is dropped.
    const rateLimit = { perSecond: 0.001, burst: 2, closeAfterDropped: 1000 };
    app = await TestApp.start({ configure: withComponent({ metricsPath: '/metrics', protection: { rateLimit } }) });
    const helper = getWebSocketHelper(app);
    const ada = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const bob = await TestClient.connect(app.wsUrl(), { token: 'bob' });

    const bad = await TestClient.open(app.wsUrl());
    const badId = [...helper.getClients().keys()].find(id => id !== ada.id && id !== bob.id)!;
    bad.send({ event: 'authenticate', data: { token: 'bad' } });
    expect((await bad.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    await probeOf(app).untilRemoved(badId);

    ada.send({ event: 'ping', data: 1 });
    expect((await ada.next('error')).data.code).toBe(WebSocketErrorCodes.UNKNOWN_EVENT);
    ada.send({ event: 'ping', data: 2 });
    expect((await ada.next('error')).data.code).toBe(WebSocketErrorCodes.RATE_LIMITED);

    helper.send({ destination: 'ws-default', payload: { topic: 'news', data: 'room' } });
    helper.sendToClient({ clientId: bob.id, event: 'news', data: 'direct' });
    helper.broadcast({ event: 'news', data: 'all' });
    for (const client of [ada, bob]) await client.next('news', f => f.data === 'all');

    const m = await scrape(app.url('/metrics'));
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.get('ignis_ws_info', { broker: 'memory' })).toBe(1);
    expect(m.get('ignis_ws_connections', { state: 'authenticated' })).toBe(2);
    expect(m.get('ignis_ws_connections', { state: 'unauthorized' })).toBe(0);
    expect(m.get('ignis_ws_connections_opened_total')).toBe(3);
    expect(m.get('ignis_ws_connections_closed_total', { code: '4003' })).toBe(1);
    expect(m.get('ignis_ws_users')).toBe(2);
    expect(m.get('ignis_ws_rooms')).toBe(2);
    expect(m.get('ignis_ws_authentications_total', { result: 'success' })).toBe(2);
    expect(m.get('ignis_ws_authentications_total', { result: 'failure', reason: 'rejected' })).toBe(1);
    expect(m.get('ignis_ws_authentications_total', { result: 'failure', reason: 'timeout' })).toBe(0);
    expect(m.get('ignis_ws_authentication_duration_seconds_count')).toBe(3);
    // ada: authenticate + 2 frames; bob: authenticate; bad: authenticate.
    expect(m.get('ignis_ws_frames_received_total')).toBe(5);
    expect(m.get('ignis_ws_deliveries_dropped_total', { reason: 'rate_limit' })).toBe(1);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'room' })).toBe(1);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'client' })).toBe(1);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'broadcast' })).toBe(1);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'user' })).toBe(0);
    // send() to a room publishes it for other nodes (here the in-process broker); sendToClient and broadcast are local.
    expect(m.get('ignis_ws_broker_publishes_total', { kind: 'room' })).toBe(1);
    expect(m.get('ignis_ws_broker_publishes_total', { kind: 'broadcast' })).toBe(0);
    expect(m.get('ignis_ws_topic_publishes_total')).toBe(2);
    expect(m.get('ignis_ws_frames_sent_total')).toBe(helper.getStats().sent);
    expect(m.get('ignis_ws_redis_up')).toBeUndefined();
    await ada.close();
    await bob.close();
  });

  test('is not mounted unless metricsPath is set', async () => {
    app = await TestApp.start({ configure: withComponent({}) });
    const res = await fetch(app.url('/metrics'));
    expect(res.status).toBe(404);
    expect(res.headers.get('x-test-app')).toBe('yes');
  });

  test('a path without a leading slash stops start-up with what to write', async () => {
    const broken = TestApp.create({ configure: withComponent({ metricsPath: 'metrics' }) }, await freePort());
    const failure: unknown = await broken.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await Promise.resolve(broken.stop()).catch(() => undefined);
    expect(String((failure as Error | undefined)?.message)).toContain(
      `SERVER_OPTIONS.metricsPath is "metrics": use false (no route) or a path starting with '/', e.g. '/metrics'.`,
    );
  });
});

describe('GET healthPath', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const withRedis = (options: Record<string, unknown>, extra?: TAppStep) =>
    withComponent(options, a => {
      a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(redis.helper());
      extra?.(a);
    });

  test('without Redis: 200 with the broker and the client count', async () => {
    app = await TestApp.start({ configure: withComponent({}) });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const res = await fetch(app.url('/health/ws'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok', broker: 'memory', redis: 'none', clients: 1, node: getWebSocketHelper(app).getServerId() });
    await client.close();
  });

  test('503 while redis-server is paused (SIGSTOP), 200 again after SIGCONT; redis_up follows', async () => {
    app = await TestApp.start({ configure: withRedis({ healthTimeout: 300, metricsPath: '/metrics' }) });
    const up = await fetch(app.url('/health/ws'));
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', broker: 'redis', redis: 'up' });
    expect((await scrape(app.url('/metrics'))).get('ignis_ws_redis_up')).toBe(1);

    redis.pause();
    try {
      const down = await fetch(app.url('/health/ws'));
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'redis-down', broker: 'redis', redis: 'down' });
      expect((await scrape(app.url('/metrics'))).get('ignis_ws_redis_up')).toBe(0);
    } finally {
      redis.resume();
    }

    const back = await fetch(app.url('/health/ws'));
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ status: 'ok', redis: 'up' });
    expect((await scrape(app.url('/metrics'))).get('ignis_ws_redis_up')).toBe(1);
  });

  test('503 "starting" while the post-start hook waits for a paused Redis; 200 once it has started', async () => {
    let listening!: () => void;
    const httpUp = new Promise<void>(resolve => (listening = resolve));
    // Registered before the component's own hook, so it runs first: Bun is listening, the WebSocket server not started.
    const announce: TAppStep = a => a.registerPostStartHook({ identifier: 'test-listening', hook: () => listening() });
    app = TestApp.create({ configure: withRedis({}, announce) }, await freePort());
    redis.pause();
    let starting: Promise<void>;
    try {
      starting = app.start();
      await httpUp;
      const res = await fetch(app.url('/health/ws'));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'starting' });
    } finally {
      redis.resume();
    }
    await starting;
    const ready = await fetch(app.url('/health/ws'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', redis: 'up' });
  });

  test('healthPath false mounts no route; another path moves it', async () => {
    app = await TestApp.start({ configure: withComponent({ healthPath: false }) });
    expect((await fetch(app.url('/health/ws'))).status).toBe(404);
    await app.stop();
    app = await TestApp.start({ configure: withComponent({ healthPath: '/ready' }) });
    expect((await fetch(app.url('/ready'))).status).toBe(200);
    expect((await fetch(app.url('/health/ws'))).status).toBe(404);
  });
});
