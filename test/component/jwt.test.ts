/**
 * The default authenticate provider verifies `{ type: 'Bearer', token }` against the app's own
 * Ignis JWT settings, set up the documented Ignis way (JWT_OPTIONS + AuthenticateComponent), with
 * the claims pinned by the component's JWT_OPTIONS. What it logs is in jwt-logs.test.ts.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  AuthenticateBindingKeys,
  AuthenticateComponent,
  JOSEStandards,
  JWKSIssuerTokenService,
  JWKSKeyDrivers,
  JWKSKeyFormats,
  JWKSModes,
  JWSTokenService,
  type IJWTTokenPayload,
} from '@venizia/ignis';
import { SignJWT, exportPKCS8, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import {
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  WebSocketErrorCodes,
  getWebSocketHelper,
  type IWebSocketJwtOptions,
} from '../../src';
import { TestClient } from '../support/ws-client';
import { JWT_SECRET, createJwtApp, startJwtApp } from './fixtures/jwt-app';
import { serviceKey } from './fixtures/providers';
import { TestApp } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** The JWT app, with `JWT_OPTIONS` bound when given. */
const startPinnedApp = (jwtOptions?: IWebSocketJwtOptions) =>
  startJwtApp({ configure: a => void (jwtOptions && a.bind({ key: WebSocketBindingKeys.JWT_OPTIONS }).toValue(jwtOptions)) });

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

/** A token signed with the app's own secret, with exactly these claims. */
const signWithAppSecret = (claims: JWTPayload, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(JWT_SECRET));

const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

const expectAccepted = async (a: TestApp, token: string, userId: string) => {
  const client = await TestClient.connect(a.wsUrl(), { type: 'Bearer', token });
  expect(client.frames.find(f => f.event === 'connected')!.data.userId).toBe(userId);
  await client.close();
};

describe('JWT claims are pinned', () => {
  test('a token without exp, or signed with another algorithm than the app uses, is closed 4003 even with the right secret', async () => {
    app = await startPinnedApp();
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1' }) });
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', exp: inOneHour() }, 'HS512') });
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', exp: inOneHour() }, 'HS384') });
    await expectAccepted(app, await signWithAppSecret({ userId: 'u-1', exp: inOneHour() }), 'u-1');
  });

  test('with JWT_OPTIONS: a wrong audience or issuer is closed 4003, the right ones authenticate, algorithms and exp as configured', async () => {
    app = await startPinnedApp({ audience: 'chat', issuer: 'https://auth.example.test', algorithms: ['HS512'], requireExpiration: false });
    const pinned = { aud: 'chat', iss: 'https://auth.example.test' };
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', ...pinned, aud: 'billing' }, 'HS512') });
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', ...pinned, iss: 'https://evil.test' }, 'HS512') });
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', iss: pinned.iss }, 'HS512') });
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: 'u-1', ...pinned }, 'HS256') });
    // requireExpiration: false lets a token without exp through; the allow-list now holds HS512 only.
    await expectAccepted(app, await signWithAppSecret({ userId: 'u-1', ...pinned }, 'HS512'), 'u-1');
  });

  test('clockToleranceSeconds lets a token that expired moments ago through; by default it is closed 4003', async () => {
    const expiredSecondsAgo = await signWithAppSecret({ userId: 'u-1', exp: Math.floor(Date.now() / 1000) - 20 });
    app = await startPinnedApp();
    await expectRejected(app, { type: 'Bearer', token: expiredSecondsAgo });
    await app.stop();
    app = await startPinnedApp({ clockToleranceSeconds: 120 });
    await expectAccepted(app, expiredSecondsAgo, 'u-1');
  });

  test('a user id that is an object, a boolean, an array or empty is closed 4003; a number becomes its string', async () => {
    app = await startPinnedApp();
    for (const userId of [{ id: 'admin' }, false, true, ['admin'], '', Number.NaN]) {
      await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId, exp: inOneHour() }) });
    }
    // userId wins over sub; an unusable userId is refused rather than falling back to sub.
    await expectRejected(app, { type: 'Bearer', token: await signWithAppSecret({ userId: { id: 1 }, sub: 'u-2', exp: inOneHour() }) });
    await expectAccepted(app, await signWithAppSecret({ userId: 42, exp: inOneHour() }), '42');
    await expectAccepted(app, await signWithAppSecret({ sub: 'u-2', exp: inOneHour() }), 'u-2');
  });

  test('a token longer than maxTokenLength is closed 4003 however well signed; raising the limit lets it through', async () => {
    const big = await signWithAppSecret({ userId: 'u-1', exp: inOneHour(), note: 'x'.repeat(9_000) });
    app = await startPinnedApp();
    await expectRejected(app, { type: 'Bearer', token: big });
    await app.stop();
    app = await startPinnedApp({ maxTokenLength: 16_384 });
    await expectAccepted(app, big, 'u-1');
  });

  test('JWT_OPTIONS out of range fails start-up, naming the field', async () => {
    const cases: [IWebSocketJwtOptions, string][] = [
      [{ maxTokenLength: 0 }, 'JWT_OPTIONS.maxTokenLength'],
      [{ clockToleranceSeconds: -5 }, 'JWT_OPTIONS.clockToleranceSeconds'],
      [{ algorithms: [] }, 'JWT_OPTIONS.algorithms'],
    ];
    for (const [jwtOptions, named] of cases) {
      app = await createJwtApp({ configure: a => void a.bind({ key: WebSocketBindingKeys.JWT_OPTIONS }).toValue(jwtOptions) });
      await expect(app.start()).rejects.toThrow(named);
      await app.stop();
      app = undefined;
    }
  });

  test('an app with a JWKS issuer: its own tokens authenticate, and the audience is pinned the same way', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = { private: await exportPKCS8(privateKey), public: await exportSPKI(publicKey) };
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: AuthenticateBindingKeys.JWT_OPTIONS }).toValue({
          standard: JOSEStandards.JWKS,
          options: {
            mode: JWKSModes.ISSUER,
            algorithm: 'ES256',
            kid: 'test-key',
            keys: { driver: JWKSKeyDrivers.TEXT, format: JWKSKeyFormats.PEM, ...pem },
            getTokenExpiresFn: () => 3600,
          },
        });
        a.component(AuthenticateComponent);
        a.bind({ key: WebSocketBindingKeys.JWT_OPTIONS }).toValue({ audience: 'chat' });
        a.component(WebSocketComponent);
      },
    });
    const issuer = app.get<JWKSIssuerTokenService>({ key: serviceKey(JWKSIssuerTokenService.name) });
    await expectAccepted(app, await issuer.generate({ payload: { ...payload('u-7'), aud: 'chat' } }), 'u-7');
    await expectRejected(app, { type: 'Bearer', token: await issuer.generate({ payload: { ...payload('u-7'), aud: 'billing' } }) });
    await expectRejected(app, { type: 'Bearer', token: await issuer.generate({ payload: payload('u-7') }) });
  });
});
