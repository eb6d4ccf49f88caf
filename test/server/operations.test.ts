/**
 * The helper's operator endpoints without the component: `respondToOperations(req)` in an app's
 * own Bun fetch (readiness while starting, ready, shutting down and stopped), and the metrics
 * that need a particular situation: every authentication failure reason, a refused upgrade, a
 * slow consumer's drops, and cross-node messages on a real Redis.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketServerHelper, type IWebSocketData, type IWebSocketServerOptions } from '../../src';
import { MetricSamples } from '../support/prometheus';
import { RawWsClient } from '../support/raw-ws';
import { TestRedis } from '../support/redis';
import { startNode, testAuthenticate, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

/** A Bun server whose fetch serves the helper's operator routes, then upgrades, the documented way. */
const startServed = async (opts: Partial<IWebSocketServerOptions> = {}) => {
  const server = Bun.serve<IWebSocketData>({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('starting', { status: 503 }) });
  const helper = new WebSocketServerHelper({ identifier: 'ops', server, authenticateFn: testAuthenticate, metricsPath: '/metrics', ...opts });
  server.reload({
    fetch: req => helper.respondToOperations(req) ?? (helper.isUpgradeRequest(req) ? helper.upgrade(req) : new Response('nope', { status: 404 })),
    websocket: helper.getBunWebSocketHandler(),
  });
  const http = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
  return { server, helper, http, wsUrl: `ws://127.0.0.1:${server.port}/ws` };
};

let node: ITestNode | undefined;
const extraNodes: ITestNode[] = [];
afterEach(async () => {
  await node?.stop();
  node = undefined;
  for (const extra of extraNodes.splice(0)) await extra.stop();
});

const metricsOf = async (helper: WebSocketServerHelper) => MetricSamples.parse(await helper.getMetrics());

describe('respondToOperations', () => {
  test('readiness: 503 starting before configure(), 200 ready, 503 stopping during shutdown(), 503 stopped after', async () => {
    let releaseDisconnect!: () => void;
    const disconnectHeld = new Promise<void>(resolve => (releaseDisconnect = resolve));
    let disconnecting!: () => void;
    const inDisconnect = new Promise<void>(resolve => (disconnecting = resolve));
    const { server, helper, http, wsUrl } = await startServed({
      clientDisconnectedFn: async () => {
        disconnecting();
        await disconnectHeld;
      },
    });
    try {
      const before = await http('/health/ws');
      expect(before.status).toBe(503);
      expect(await before.json()).toMatchObject({ status: 'starting', broker: 'memory', redis: 'none' });

      await helper.configure();
      await helper.subscriptionsSettled();
      const client = await TestClient.connect(wsUrl);
      const ready = await http('/health/ws');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', broker: 'memory', redis: 'none', clients: 1, node: helper.getServerId() });

      // shutdown() waits for the disconnect callback, which the test holds: the node is stopping.
      const stopping = helper.shutdown();
      await inDisconnect;
      const during = await http('/health/ws');
      expect(during.status).toBe(503);
      expect(await during.json()).toMatchObject({ status: 'stopping' });
      releaseDisconnect();
      await stopping;
      expect((await client.closed).code).toBe(1001);

      const after = await http('/health/ws');
      expect(after.status).toBe(503);
      expect(await after.json()).toMatchObject({ status: 'stopped', clients: 0 });
    } finally {
      releaseDisconnect();
      server.stop(true);
    }
  });

  test('metricsPath answers the Prometheus text; other paths and methods are left to the app', async () => {
    const { server, helper, http } = await startServed();
    try {
      await helper.configure();
      const res = await http('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(MetricSamples.parse(await res.text()).get('ignis_ws_info', { broker: 'memory' })).toBe(1);
      expect((await http('/metrics/')).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(404);
      expect(helper.respondToOperations(new Request('http://x/other'))).toBeUndefined();
      await helper.shutdown();
    } finally {
      server.stop(true);
    }
  });
});

describe('metrics for particular situations', () => {
  test('authentication failures by reason: rejected, error (authenticateFn threw), timeout, encryption', async () => {
    node = await startNode({
      authTimeout: 100,
      authenticateFn: ({ token }) => {
        if (token === 'throw') throw new Error('auth backend down');
        return testAuthenticate({ token });
      },
    });
    const tryToken = async (token: string) => {
      const client = await TestClient.open(node!.url);
      client.send({ event: 'authenticate', data: { token } });
      return (await client.closed).code;
    };
    expect(await tryToken('nope')).toBe(4003);
    expect(await tryToken('throw')).toBe(4003);
    const silent = await TestClient.open(node.url);
    expect((await silent.closed).code).toBe(4001);
    await node.untilEmpty();
    const m = await metricsOf(node.helper);
    expect(m.get('ignis_ws_authentications_total', { result: 'failure', reason: 'rejected' })).toBe(1);
    expect(m.get('ignis_ws_authentications_total', { result: 'failure', reason: 'error' })).toBe(1);
    expect(m.get('ignis_ws_authentications_total', { result: 'failure', reason: 'timeout' })).toBe(1);
    expect(m.get('ignis_ws_authentications_total', { result: 'success' })).toBe(0);
    // Timeouts are not observed: only the two verdicts that were reached.
    expect(m.get('ignis_ws_authentication_duration_seconds_count')).toBe(2);
    expect(m.get('ignis_ws_connections_closed_total', { code: '4003' })).toBe(2);
    expect(m.get('ignis_ws_connections_closed_total', { code: '4001' })).toBe(1);

    const encrypted = await startNode({ requireEncryption: true });
    extraNodes.push(encrypted);
    const client = await TestClient.open(encrypted.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.closed).code).toBe(4004);
    await encrypted.untilEmpty();
    expect((await metricsOf(encrypted.helper)).get('ignis_ws_authentications_total', { result: 'failure', reason: 'encryption' })).toBe(1);
  });

  test('a refused upgrade is counted by cap; a close code the package does not use is counted as other', async () => {
    node = await startNode({ protection: { maxUnauthenticatedPerIp: 1 } });
    const first = await RawWsClient.open(node.port);
    expect((await RawWsClient.attempt(node.port)).status).toBe(429);
    first.destroy();
    await node.untilEmpty();
    const client = await TestClient.connect(node.url);
    await client.close(); // 1000
    await node.untilEmpty();
    const odd = await RawWsClient.open(node.port);
    odd.sendFrame(Buffer.from([3999 >> 8, 3999 & 0xff]), 8); // a close frame with code 3999
    await node.untilEmpty();
    const m = await metricsOf(node.helper);
    expect(m.get('ignis_ws_upgrades_refused_total', { reason: 'unauthenticated-per-address' })).toBe(1);
    expect(m.get('ignis_ws_upgrades_refused_total', { reason: 'unauthenticated-per-node' })).toBe(0);
    expect(m.get('ignis_ws_connections_closed_total', { code: '1000' })).toBe(1);
    expect(m.get('ignis_ws_connections_closed_total', { code: 'other' })).toBe(1);
    expect(m.get('ignis_ws_connections_closed_total', { code: '3999' })).toBeUndefined();
  });

  test("a stalled reader's refused frames are counted as backpressure drops, the same number as getStats().dropped", async () => {
    node = await startNode({ serverOptions: { backpressureLimit: 64 * 1024, closeOnBackpressureLimit: false } });
    const raw = await RawWsClient.open(node.port);
    const admitted = raw.waitFor('"connected"');
    raw.sendJson({ event: 'authenticate', data: { token: 'ok' } });
    const id: string = JSON.parse(await admitted).data.id;
    raw.pause();
    const text = 'x'.repeat(1024);
    for (let i = 0; node.helper.getStats().dropped < 20 && i < 100_000; i++) node.helper.sendToClient({ clientId: id, event: 'flood', data: { i, text } });
    const m = await metricsOf(node.helper);
    const stats = node.helper.getStats();
    expect(stats.dropped).toBe(20);
    expect(m.get('ignis_ws_deliveries_dropped_total', { reason: 'backpressure' })).toBe(20);
    expect(m.get('ignis_ws_deliveries_dropped_total', { reason: 'socket_closed' })).toBe(0);
    expect(m.get('ignis_ws_deliveries_dropped_total', { reason: 'other' })).toBeUndefined();
    expect(m.get('ignis_ws_backpressure_total')).toBe(stats.backpressured);
    expect(stats.backpressured).toBeGreaterThan(0);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'client' })).toBe(stats.sent + stats.dropped - 1); // `connected` is a system frame, not an app message
    raw.destroy();
    await node.untilEmpty();
  });
});

describe('cross-node metrics on Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('publishes and receptions by kind, own echoes, subscriptions held, publish latency', async () => {
    node = await startNode({ identifier: 'node-a', redisConnection: redis.helper('a') });
    const b = await startNode({ identifier: 'node-b', redisConnection: redis.helper('b') });
    extraNodes.push(b);
    const onB = await TestClient.connect(b.url, { token: 'user:bob' });
    await b.helper.subscriptionsSettled();

    node.helper.send({ destination: 'ws-default', payload: { topic: 'news', data: 'room' } });
    node.helper.send({ destination: { userId: 'bob' }, payload: { topic: 'news', data: 'user' } });
    node.helper.send({ payload: { topic: 'news', data: 'all' } });
    for (const data of ['room', 'user', 'all']) await onB.next('news', f => f.data === data);
    // Redis answers in order: once a PING sent after the publishes is answered, their acknowledgements have arrived.
    expect((await node.helper.getHealth()).redis).toBe('up');

    const a = await metricsOf(node.helper);
    expect(a.get('ignis_ws_info', { broker: 'redis' })).toBe(1);
    expect(a.get('ignis_ws_redis_up')).toBe(1);
    expect(a.get('ignis_ws_broker_publishes_total', { kind: 'room' })).toBe(1);
    expect(a.get('ignis_ws_broker_publishes_total', { kind: 'user' })).toBe(1);
    expect(a.get('ignis_ws_broker_publishes_total', { kind: 'broadcast' })).toBe(1);
    expect(a.get('ignis_ws_cross_node_publish_duration_seconds_count')).toBe(3);
    expect(a.get('ignis_ws_broker_publish_failures_total')).toBe(0);
    // The broadcast came back to its own node (every node listens to ws:broadcast) and was ignored.
    expect(a.get('ignis_ws_broker_messages_ignored_total', { reason: 'own' })).toBe(1);

    const m = await metricsOf(b.helper);
    expect(m.get('ignis_ws_broker_messages_received_total', { kind: 'room' })).toBe(1);
    expect(m.get('ignis_ws_broker_messages_received_total', { kind: 'user' })).toBe(1);
    expect(m.get('ignis_ws_broker_messages_received_total', { kind: 'broadcast' })).toBe(1);
    expect(m.get('ignis_ws_broker_subscriptions')).toBe(b.helper.getSubscribedChannels().length);
    expect(m.get('ignis_ws_broker_subscriptions')).toBeGreaterThanOrEqual(5); // broadcast, bob's client and user channels, two default rooms
    await onB.close();
  });
});
