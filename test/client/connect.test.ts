import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import {
  WebSocketClient,
  WebSocketClientConnectionStates,
  WebSocketClientError,
  WebSocketClientErrorCodes,
} from '../../src/client';
import { startNode, type ITestNode } from '../support/server';
import { nextEvent, recordEvents, sleep } from '../support/client-events';

let node: ITestNode | undefined;
let client: WebSocketClient<any, any> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

const fastReconnect = { initialDelayMs: 10, maxDelayMs: 50 };

describe('WebSocketClient: connect and authenticate', () => {
  test('connect() resolves with id and userId from the server, and exposes them', async () => {
    node = await startNode();
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'user:alice' }) });
    expect(client.state).toBe(WebSocketClientConnectionStates.IDLE);
    const connected = nextEvent(client, 'connected');

    const identity = await client.connect();

    expect(identity.userId).toBe('alice');
    expect(node.helper.getClients({ id: identity.id })?.userId).toBe('alice');
    expect(client.id).toBe(identity.id);
    expect(client.userId).toBe('alice');
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
    expect(await connected).toEqual(identity);
    // connect() while open answers at once with the same identity.
    expect(await client.connect()).toEqual(identity);
  });

  test('the auth callback may be async and its credentials reach authenticateFn', async () => {
    const seen: unknown[] = [];
    node = await startNode({
      authenticateFn: (data: any) => {
        seen.push(data);
        return { userId: 'u-async' };
      },
    });
    client = new WebSocketClient({ url: node.url, auth: async () => ({ token: 'abc', type: 'Bearer' }) });
    expect((await client.connect()).userId).toBe('u-async');
    expect(seen).toEqual([{ token: 'abc', type: 'Bearer' }]);
  });

  test('rejected credentials reject connect() with close code 4003 and the server message, without reconnecting', async () => {
    node = await startNode();
    let authCalls = 0;
    client = new WebSocketClient({
      url: node.url,
      auth: () => {
        authCalls++;
        return { token: 'wrong' };
      },
      reconnect: fastReconnect,
    });
    const events = recordEvents(client, ['disconnected', 'reconnecting', 'error']);

    const failure = await client.connect().then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(WebSocketClientError);
    const error = failure as WebSocketClientError;
    expect(error.closeCode).toBe(WebSocketCloseCodes.AUTH_FAILED);
    expect(error.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
    expect(error.message).toBe('Authentication failed');
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
    expect(events.find(e => e.event === 'error')?.data).toMatchObject({ source: 'server', code: 'AUTH_FAILED' });
    expect(events.filter(e => e.event === 'disconnected').map(e => e.data)).toEqual([
      { code: WebSocketCloseCodes.AUTH_FAILED, reason: 'Authentication failed', willReconnect: false },
    ]);
    // With a 10 ms backoff a retry would have happened many times over by now.
    await sleep(200);
    expect(authCalls).toBe(1);
    expect(events.some(e => e.event === 'reconnecting')).toBe(false);
  });

  test('an auth callback that keeps throwing is retried with backoff; when attempts run out connect() rejects (4003, AUTH_CALLBACK_FAILED), no socket ever opened', async () => {
    node = await startNode();
    let authCalls = 0;
    client = new WebSocketClient({
      url: node.url,
      auth: () => {
        authCalls++;
        throw new Error('no token stored');
      },
      reconnect: { ...fastReconnect, maxAttempts: 2 },
    });
    const events = recordEvents(client, ['error', 'disconnected', 'reconnecting']);
    const failure = (await client.connect().catch(e => e)) as WebSocketClientError;
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketClientErrorCodes.AUTH_CALLBACK_FAILED);
    expect(failure.closeCode).toBe(WebSocketCloseCodes.AUTH_FAILED);
    expect(failure.message).toContain('no token stored');
    expect(authCalls).toBe(3); // the first attempt and maxAttempts retries
    expect(events.filter(e => e.event === 'reconnecting')).toHaveLength(2);
    expect(events.filter(e => e.event === 'error').map(e => e.data.code)).toEqual(Array(3).fill(WebSocketClientErrorCodes.AUTH_CALLBACK_FAILED));
    expect(events.filter(e => e.event === 'disconnected').map(e => e.data.willReconnect)).toEqual([true, true, false]);
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
    expect(node.helper.getClients().size).toBe(0);
  });

  test('an auth callback that throws once is retried with backoff like a failed connection, and the next attempt connects', async () => {
    node = await startNode();
    let authCalls = 0;
    client = new WebSocketClient({
      url: node.url,
      auth: () => {
        if (++authCalls === 1) throw new Error('token refresh failed');
        return { token: 'user:retried' };
      },
      reconnect: fastReconnect,
    });
    const events = recordEvents(client, ['error', 'disconnected', 'reconnecting', 'connected', 'reconnected']);
    const identity = await client.connect();
    expect(identity.userId).toBe('retried');
    expect(authCalls).toBe(2);
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
    expect(node.helper.getClients({ id: identity.id })?.userId).toBe('retried');
    expect(events.map(e => e.event)).toEqual(['error', 'disconnected', 'reconnecting', 'connected']);
    expect(events[0]!.data).toMatchObject({ source: 'client', code: WebSocketClientErrorCodes.AUTH_CALLBACK_FAILED });
    expect(events[0]!.data.message).toContain('token refresh failed');
    expect(events[1]!.data).toEqual({ code: WebSocketCloseCodes.AUTH_FAILED, reason: 'The auth callback failed: token refresh failed', willReconnect: true });
  });

  test('with reconnect disabled, an unreachable server rejects connect() with the transport close code', async () => {
    node = await startNode();
    const url = node.url;
    await node.stop();
    node = undefined;
    client = new WebSocketClient({ url, auth: () => ({ token: 'ok' }), reconnect: { enabled: false } });
    const failure = (await client.connect().catch(e => e)) as WebSocketClientError;
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketClientErrorCodes.CONNECTION_CLOSED);
    expect(failure.closeCode).toBe(1006);
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
  });

  test('close() is final: state closed, disconnected (willReconnect false), server sees the socket go', async () => {
    const removed: string[] = [];
    node = await startNode({ clientRemovedFn: ({ clientId }) => void removed.push(clientId) });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    const { id } = await client.connect();
    const disconnected = nextEvent(client, 'disconnected');

    client.close();

    expect(await disconnected).toEqual({ code: 1000, reason: 'closed by client', willReconnect: false });
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
    expect(client.id).toBeUndefined();
    expect(client.send('anything', {})).toBe(false);
    await node.untilEmpty();
    expect(removed).toEqual([id]);
  });

  test('close() while connecting rejects the pending connect() with CLOSED_BY_CLIENT', async () => {
    node = await startNode();
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }) });
    const pending = client.connect();
    client.close();
    const failure = (await pending.catch(e => e)) as WebSocketClientError;
    expect(failure.code).toBe(WebSocketClientErrorCodes.CLOSED_BY_CLIENT);
  });

  test('bad options fail at construction with a message naming the option', () => {
    expect(() => new WebSocketClient({ url: 'not a url', auth: () => ({}) })).toThrow(/url/);
    expect(() => new WebSocketClient({ url: 'ftp://x/ws', auth: () => ({}) })).toThrow(/ws:/);
    expect(() => new WebSocketClient({ url: 'ws://x/ws', auth: () => ({}), heartbeatIntervalMs: 0 })).toThrow(
      /heartbeatIntervalMs/,
    );
    expect(
      () => new WebSocketClient({ url: 'ws://x/ws', auth: () => ({}), reconnect: { initialDelayMs: 10, maxDelayMs: 5 } }),
    ).toThrow(/maxDelayMs/);
  });
});
