import { afterEach, describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { WebSocketErrorCodes, defineEvent } from '../../src';
import { WebSocketClient, WebSocketClientError } from '../../src/client';
import { nextEvent } from '../support/client-events';
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
  defineEvent({
    event: 'todo:add',
    schema: z.object({ title: z.string().min(1), tags: z.array(z.string()).max(2) }),
    handler: ({ title }, ctx) => {
      if (title === 'taken') ctx.fail('TITLE_TAKEN', 'A todo with this title exists', { existingId: 'todo-7', suggestions: ['taken 2'] });
      return { id: 'todo-1' };
    },
  }),
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

  test("VALIDATION_FAILED carries the schema's issues to the app: on the request() rejection and on the error event", async () => {
    node = await startNode({ events });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    await client.connect();
    const errorEvent = nextEvent(client, 'error');
    const failure = await client.request('todo:add', { title: '', tags: ['a', 'b', 'c'] }).catch(e => e);
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketErrorCodes.VALIDATION_FAILED);
    expect(failure.message).toBe("Invalid data for 'todo:add'");
    const expected = [
      { path: ['title'], code: 'too_small', message: expect.stringContaining('>=1') },
      { path: ['tags'], code: 'too_big', message: expect.stringContaining('<=2') },
    ];
    expect(failure.issues).toEqual(expected);
    expect(failure.details).toBeUndefined();
    const event = await errorEvent;
    expect(event).toMatchObject({ source: 'server', code: WebSocketErrorCodes.VALIDATION_FAILED, id: expect.any(String) });
    expect(event.issues).toEqual(expected);

    // A plain send() (no request id) gets the same issues on the error event alone.
    const unsolicited = nextEvent(client, 'error');
    client.send('todo:add', { title: 7, tags: [] });
    const second = await unsolicited;
    expect(second.id).toBeUndefined();
    expect(second.issues).toEqual([{ path: ['title'], code: 'invalid_type', message: expect.any(String) }]);
  });

  test("ctx.fail(code, message, details) reaches the app: its code and details on the request() rejection and on the error event", async () => {
    node = await startNode({ events });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    await client.connect();
    const errorEvent = nextEvent(client, 'error');
    const failure = await client.request('todo:add', { title: 'taken', tags: [] }).catch(e => e);
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe('TITLE_TAKEN');
    expect(failure.message).toBe('A todo with this title exists');
    expect(failure.details).toEqual({ existingId: 'todo-7', suggestions: ['taken 2'] });
    expect(failure.issues).toBeUndefined();
    expect(await errorEvent).toMatchObject({ source: 'server', code: 'TITLE_TAKEN', details: { existingId: 'todo-7', suggestions: ['taken 2'] } });
    // The same event with good data still answers.
    expect(await client.request('todo:add', { title: 'fresh', tags: [] })).toEqual({ id: 'todo-1' });
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
