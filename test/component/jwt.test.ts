/**
 * The default authenticate provider verifies `{ type: 'Bearer', token }` with the app's own Ignis
 * JWT token service, set up the documented Ignis way (JWT_OPTIONS + AuthenticateComponent).
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  Authentication,
  AuthenticateBindingKeys,
  AuthenticateComponent,
  AuthenticationStrategyRegistry,
  JOSEStandards,
  JWSAuthenticationStrategy,
  JWSTokenService,
  authenticate,
  type IJWTTokenPayload,
} from '@venizia/ignis';
import { WebSocketCloseCodes, WebSocketComponent, WebSocketErrorCodes, getWebSocketHelper } from '../../src';
import { TestClient } from '../support/ws-client';
import { serviceKey } from './fixtures/providers';
import { TestApp } from './fixtures/test-app';

const JWT_SECRET = 'component-test-jwt-secret-0123456789';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** An app with Ignis JWT (JWS) auth, one JWT-protected HTTP route and the WebSocket component. */
const startJwtApp = () =>
  TestApp.start({
    configure: a => {
      a.bind({ key: AuthenticateBindingKeys.JWT_OPTIONS }).toValue({
        standard: JOSEStandards.JWS,
        options: { jwtSecret: JWT_SECRET, getTokenExpiresFn: () => 3600 },
      });
      a.component(AuthenticateComponent);
      AuthenticationStrategyRegistry.getInstance().register({
        container: a,
        strategies: [{ strategy: JWSAuthenticationStrategy, name: Authentication.STRATEGY_JWT }],
      });
      a.getRootRouter().get('/me', authenticate({ strategies: [Authentication.STRATEGY_JWT] }), c =>
        c.json({ userId: (c.get(Authentication.CURRENT_USER as never) as IJWTTokenPayload).userId }),
      );
      a.component(WebSocketComponent);
    },
  });

const payload = (userId: string): IJWTTokenPayload => ({ userId, roles: [{ id: 1, identifier: 'member', priority: 1 }] });

const tokenService = (a: TestApp) => a.get<JWSTokenService>({ key: serviceKey(JWSTokenService.name) });

const expectRejected = async (a: TestApp, auth: Record<string, unknown>) => {
  const client = await TestClient.open(a.wsUrl());
  client.send({ event: 'authenticate', data: auth });
  expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
  expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
};

describe('JWT authentication with the app token service', () => {
  test('a token issued by the app authenticates the HTTP route and the socket alike', async () => {
    app = await startJwtApp();
    const token = await tokenService(app).generate({ payload: payload('u-42') });

    const res = await fetch(app.url('/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: 'u-42' });

    const client = await TestClient.connect(app.wsUrl(), { type: 'Bearer', token });
    expect(client.frames.find(f => f.event === 'connected')!.data.userId).toBe('u-42');
    const tracked = getWebSocketHelper(app).getClients({ id: client.id })!;
    expect(tracked.metadata?.roles).toEqual([{ id: 1, identifier: 'member', priority: 1 }]);
    await client.close();
  });

  test('a forged token (signed with another secret) is closed 4003', async () => {
    app = await startJwtApp();
    const forger = new JWSTokenService({ jwtSecret: 'not-the-app-secret-at-all', getTokenExpiresFn: () => 3600 });
    const forged = await forger.generate({ payload: payload('admin') });
    expect((await fetch(app.url('/me'), { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    await expectRejected(app, { type: 'Bearer', token: forged });
  });

  test('an expired token is closed 4003', async () => {
    app = await startJwtApp();
    const expired = await tokenService(app).generate({ payload: payload('u-42'), getTokenExpiresFn: () => -60 });
    await expectRejected(app, { type: 'Bearer', token: expired });
  });

  test('a tampered token, a missing token and a non-Bearer type are closed 4003', async () => {
    app = await startJwtApp();
    const token = await tokenService(app).generate({ payload: payload('u-42') });
    const [header, body, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const tamperedBody = Buffer.from(JSON.stringify({ ...claims, userId: 'admin' })).toString('base64url');
    await expectRejected(app, { type: 'Bearer', token: `${header}.${tamperedBody}.${signature}` });
    await expectRejected(app, { type: 'Bearer' });
    await expectRejected(app, { type: 'Basic', token });
  });
});
