/**
 * `SERVER_OPTIONS` is merged over documented defaults and every field reaches the helper.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  WEBSOCKET_COMPONENT_DEFAULTS,
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  WebSocketDefaults,
  mergeComponentOptions,
  type IWebSocketComponentOptions,
} from '../../src';
import { TestClient } from '../support/ws-client';
import { StaticTokenAuthProvider } from './fixtures/providers';
import { rawUpgrade } from './fixtures/raw-upgrade';
import { TestApp } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const startWith = (options: IWebSocketComponentOptions) =>
  TestApp.start({
    configure: a => {
      a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue(options);
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.component(WebSocketComponent);
    },
  });

describe('SERVER_OPTIONS', () => {
  test('defaults are the documented ones', () => {
    expect(WEBSOCKET_COMPONENT_DEFAULTS).toEqual({
      identifier: 'WEBSOCKET_SERVER',
      path: '/ws',
      defaultRooms: ['ws-default', 'ws-notification'],
      serverOptions: {},
      authTimeout: 5_000,
      heartbeatInterval: 30_000,
      heartbeatTimeout: 90_000,
      encryptedBatchLimit: 10,
      maxQueuedEncrypted: 1_000,
      requireEncryption: false,
      logFormat: 'text',
      metricsPath: false,
      healthPath: '/health/ws',
      healthTimeout: 1_000,
      protection: {},
      broker: {},
      presence: {},
    });
    expect(mergeComponentOptions(undefined)).toEqual({ ...WEBSOCKET_COMPONENT_DEFAULTS });
    expect(mergeComponentOptions(null)).toEqual({ ...WEBSOCKET_COMPONENT_DEFAULTS });
  });

  test('given fields win, undefined fields keep the default, nested objects are copied', () => {
    const serverOptions = { maxPayloadLength: 2048 };
    const merged = mergeComponentOptions({ path: '/rt', authTimeout: undefined, serverOptions });
    expect(merged.path).toBe('/rt');
    expect(merged.authTimeout).toBe(WebSocketDefaults.AUTH_TIMEOUT);
    expect(merged.serverOptions).toEqual({ maxPayloadLength: 2048 });
    expect(merged.serverOptions).not.toBe(serverOptions);
    merged.defaultRooms.push('mutated');
    expect(WEBSOCKET_COMPONENT_DEFAULTS.defaultRooms).toEqual(['ws-default', 'ws-notification']);
  });

  test('authTimeout reaches the helper: a silent client is closed 4001', async () => {
    app = await startWith({ authTimeout: 100 });
    const client = await TestClient.open(app.wsUrl());
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
  });

  test('serverOptions reach Bun: a frame above maxPayloadLength is closed 1009', async () => {
    app = await startWith({ serverOptions: { maxPayloadLength: 1024 } });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    client.send({ event: 'big', data: 'x'.repeat(4096) });
    expect((await client.closed).code).toBe(WebSocketCloseCodes.MESSAGE_TOO_BIG);
  });

  test('protection reaches the helper: a second connection from one address over the cap is refused 429', async () => {
    app = await startWith({ protection: { maxConnectionsPerIp: 1 } });
    const first = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    expect((await rawUpgrade(app.port, '/ws')).status).toBe(429);
    await first.close();
  });

  test('heartbeatInterval and heartbeatTimeout reach the helper: a silent authenticated client is closed 4002', async () => {
    app = await startWith({ heartbeatInterval: 50, heartbeatTimeout: 100 });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    expect((await client.closed).code).toBe(WebSocketCloseCodes.HEARTBEAT_TIMEOUT);
  });
});
