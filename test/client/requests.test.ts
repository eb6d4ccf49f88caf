import { afterEach, describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { WebSocketErrorCodes, defineEvent } from '../../src';
import { WebSocketClient, WebSocketClientError } from '../../src/client';
import { startNode, type ITestNode } from '../support/server';

let node: ITestNode | undefined;
let client: WebSocketClient<any, any> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

type ClientEvents = { 'sum': { a: number; b: number }; 'slow': Record<string, never> };
type ServerEvents = { 'sum:reply': number };

const events = [
  defineEvent({ event: 'sum', schema: z.object({ a: z.number(), b: z.number() }), handler: ({ a, b }) => a + b }),
  defineEvent({ event: 'slow', schema: z.object({}), handler: () => new Promise<void>(() => undefined) }),
];

describe('WebSocketClient.request()', () => {
  test('resolves with the typed reply', async () => {
    node = await startNode({ events });
    const typed = new WebSocketClient<ServerEvents, ClientEvents>({ url: node.url, auth: () => ({ token: 'ok' }) });
    client = typed;
    await typed.connect();
    const answers = await Promise.all([typed.request('sum', { a: 2, b: 3 }), typed.request('sum', { a: 10, b: -1 })]);
    const first: number = answers[0];
    expect(first).toBe(5);
    expect(answers[1]).toBe(9);
  });

  test('rejects with the server error for that id (VALIDATION_FAILED)', async () => {
    node = await startNode({ events });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    await client.connect();
    const failure = await client.request('sum', { a: 'two', b: 3 }).catch(e => e);
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketErrorCodes.VALIDATION_FAILED);
  });

  test('rejects on timeout when no reply comes', async () => {
    node = await startNode({ events });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    await client.connect();
    const failure = await client.request('slow', {}, { timeoutMs: 100 }).catch(e => e);
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(String(failure.message)).toContain('100 ms');
  });
});
