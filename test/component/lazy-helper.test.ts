/**
 * Services reach the helper lazily from the container: it is bound by the post-start hook, so
 * before start (and after stop) they get a clear error instead of a crash or a dead helper.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  LazyWebSocketHelper,
  WebSocketBindingKeys,
  WebSocketComponent,
  WebSocketServerHelper,
  findWebSocketHelper,
} from '../../src';
import { freePort } from '../support/ports';
import { TestClient } from '../support/ws-client';
import { ContractGetterService, NotificationService, StaticTokenAuthProvider, serviceKey } from './fixtures/providers';
import { TestApp, type TAppStep } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const withComponent: TAppStep = a => {
  a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
  a.component(WebSocketComponent);
};

const configure: TAppStep = a => {
  a.service(NotificationService);
  a.service(ContractGetterService);
  withComponent(a);
};

const notifications = (a: TestApp) => a.get<NotificationService>({ key: serviceKey(NotificationService.name) });

describe('reaching the helper from a service', () => {
  test('a service built before start sends to a room once the app has started', async () => {
    app = TestApp.create({ configure: withComponent }, await freePort());
    app.service(NotificationService);
    const service = notifications(app);
    await app.start();

    const ada = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const bob = await TestClient.connect(app.wsUrl(), { token: 'bob' });
    service.notifyRoom('ws-notification', 'deploy finished');
    expect((await ada.next('notification')).data).toEqual({ text: 'deploy finished' });
    expect((await bob.next('notification')).data).toEqual({ text: 'deploy finished' });
    await ada.close();
    await bob.close();
  });

  test('before start the service gets an error that says when the helper exists', async () => {
    app = TestApp.create({ configure: withComponent }, await freePort());
    app.service(NotificationService);
    const service = notifications(app);
    expect(() => service.notifyRoom('ws-notification', 'too early')).toThrow(
      /WebSocket helper is not available.*bound after app\.start\(\)/,
    );
    expect(new LazyWebSocketHelper(app).isAvailable()).toBe(false);
    await app.start();
    expect(new LazyWebSocketHelper(app).isAvailable()).toBe(true);
  });

  test('after stop the helper is unbound: the service gets the same clear error, not a dead helper', async () => {
    app = await TestApp.start({ configure });
    const service = notifications(app);
    expect(findWebSocketHelper(app)).toBeInstanceOf(WebSocketServerHelper);
    await app.stop();
    expect(findWebSocketHelper(app)).toBeUndefined();
    expect(() => service.notifyRoom('ws-notification', 'too late')).toThrow('WebSocket helper is not available');
    app = undefined;
  });

  test("the contract's own lazy getter works unchanged against WEBSOCKET_INSTANCE", async () => {
    app = await TestApp.start({ configure });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    app.get<ContractGetterService>({ key: serviceKey(ContractGetterService.name) }).notifyRoom('ws-default', 'hi');
    expect((await client.next('room:update')).data).toEqual({ text: 'hi' });
    await client.close();
  });
});
