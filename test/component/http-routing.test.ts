/**
 * The component shares the app's own Bun server: ws-path upgrades go to the helper, every other
 * request reaches the app's Hono routes with the app's middlewares, unchanged.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketBindingKeys, WebSocketComponent, getWebSocketHelper } from '../../src';
import { MetricSamples } from '../support/prometheus';
import { TestClient } from '../support/ws-client';
import { StaticTokenAuthProvider } from './fixtures/providers';
import { rawUpgrade } from './fixtures/raw-upgrade';
import { TestApp } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const withComponent = (options?: Record<string, unknown>) => (a: TestApp) => {
  if (options) a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue(options);
  a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
  a.component(WebSocketComponent);
};

describe('HTTP next to the ws path', () => {
  test('Hono routes keep answering, through the app middlewares, while sockets are connected', async () => {
    app = await TestApp.start({ configure: withComponent() });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });

    const res = await fetch(app.url('/hello'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-test-app')).toBe('yes');
    expect(await res.json()).toEqual({ hello: 'world' });

    const missing = await fetch(app.url('/nope'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-test-app')).toBe('yes');
    await client.close();
  });

  test('a plain HTTP request on the ws path goes to Hono, not to the helper', async () => {
    app = await TestApp.start({ configure: withComponent() });
    const res = await fetch(app.url('/ws'));
    expect(res.status).toBe(404);
    expect(res.headers.get('x-test-app')).toBe('yes');
    expect(getWebSocketHelper(app).getClients().size).toBe(0);
  });

  test('with the upgrade caps full, a plain request on the ws path still reaches Hono and is not counted as a refused upgrade', async () => {
    app = await TestApp.start({ configure: withComponent({ protection: { maxConnectionsPerIp: 1 } }) });
    const first = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const refusals = async () =>
      MetricSamples.parse(await getWebSocketHelper(app!).getMetrics()).get('ignis_ws_upgrades_refused_total', { reason: 'connections-per-address' });

    const plain = await fetch(app.url('/ws'));
    expect(plain.status).toBe(404);
    expect(plain.headers.get('x-test-app')).toBe('yes');
    expect(await refusals()).toBe(0);

    expect((await rawUpgrade(app.port, '/ws')).status).toBe(429);
    expect(await refusals()).toBe(1);
    await first.close();
  });

  test('an upgrade on another path is not taken by the helper: Hono answers it', async () => {
    app = await TestApp.start({ configure: withComponent() });
    const other = await rawUpgrade(app.port, '/other');
    expect(other.status).toBe(200);
    expect(other.text).toContain('hono answered');
    expect(other.text.toLowerCase()).toContain('x-test-app: yes');

    const ws = await rawUpgrade(app.port, '/ws');
    expect(ws.status).toBe(101);
    expect(ws.text.toLowerCase()).not.toContain('x-test-app');
  });

  test('SERVER_OPTIONS.path moves the ws path; the old path is an ordinary HTTP route again', async () => {
    app = await TestApp.start({ configure: withComponent({ path: '/realtime' }) });
    const client = await TestClient.connect(app.wsUrl('/realtime'), { token: 'ada' });
    expect(getWebSocketHelper(app).getPath()).toBe('/realtime');
    expect((await rawUpgrade(app.port, '/ws')).status).toBe(404);
    await client.close();
  });
});
