/**
 * Rejected tokens cannot amplify or forge the log: an app with Ignis JWT auth runs in a child
 * process (fixtures/jwt-app.ts) and the bytes it writes are counted while unauthenticated
 * sockets send it bad tokens.
 */
import { afterEach, expect, test } from 'bun:test';
import { SignJWT } from 'jose';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { TestClient } from '../support/ws-client';
import { startJwtAppProcess, type IJwtAppProcess } from './fixtures/jwt-app';

let app: IJwtAppProcess | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A well-formed token whose signature is wrong, with the header given. */
const tokenWithHeader = (header: Record<string, unknown>) =>
  `${b64(header)}.${b64({ userId: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 })}.${Buffer.from('not-a-signature').toString('base64url')}`;

const forgedToken = () =>
  new SignJWT({ userId: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('not-the-app-secret-at-all'));

/** One unauthenticated socket per token, a few at a time; each must be refused with 4003. */
const sendBadTokens = async (port: number, tokens: string[]) => {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const client = await TestClient.open(`ws://127.0.0.1:${port}/ws`);
      client.send({ event: 'authenticate', data: { type: 'Bearer', token } });
      expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
      expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
};

test('300 forged tokens from unauthenticated sockets write a few hundred bytes of log, not a line each', async () => {
  app = await startJwtAppProcess();
  const token = await forgedToken();
  const before = await app.loggedSoFar();
  await sendBadTokens(app.port, Array.from({ length: 300 }, () => token));
  const bytes = (await app.loggedSoFar()) - before;
  console.log(`[figures] 300 forged tokens: ${bytes} log bytes`);
  expect(bytes).toBeLessThan(1_000);
}, 60_000);

test('a token with a 90 KB header is refused before it is parsed; 300 of them log a few hundred bytes', async () => {
  app = await startJwtAppProcess();
  const huge = tokenWithHeader({ alg: `HS256${'A'.repeat(90_000)}`, typ: 'JWT' });
  const before = await app.loggedSoFar();
  await sendBadTokens(app.port, [huge]);
  const one = (await app.loggedSoFar()) - before;
  await sendBadTokens(app.port, Array.from({ length: 299 }, () => huge));
  const all = (await app.loggedSoFar()) - before;
  console.log(`[figures] 90 KB-header token: 1 -> ${one} log bytes, 300 -> ${all} log bytes`);
  expect(one).toBeLessThan(1_000);
  expect(all).toBeLessThan(1_000);
}, 120_000);

test('a newline inside the token header cannot forge a log line', async () => {
  app = await startJwtAppProcess();
  await app.loggedSoFar();
  await sendBadTokens(app.port, [tokenWithHeader({ alg: 'HS256\nFORGED admin logged in', typ: 'JWT' })]);
  await app.loggedSoFar();
  const lines = app.child.output().split('\n');
  expect(lines.filter(line => line.includes('FORGED') && !/^\d{4}-\d\d-\d\dT/.test(line))).toEqual([]);
  // The refusal names the header's alg, escaped, on the warning's own line.
  expect(lines.some(line => line.includes("header alg 'HS256\\nFORGED admin logged in'"))).toBe(true);
}, 60_000);
