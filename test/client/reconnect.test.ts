import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes } from '../../src';
import { WebSocketClient, WebSocketClientConnectionStates, backoffCeiling, computeBackoffDelay } from '../../src/client';
import { startNode, type ITestNode } from '../support/server';
import { nextEvent, recordEvents } from '../support/client-events';

let node: ITestNode | undefined;
let client: WebSocketClient<any, any> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

describe('backoff', () => {
  test('the ceiling doubles from initialDelayMs and stops at maxDelayMs', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 50, 5_000].map(retry => backoffCeiling({ retry, ...policy }))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });

  test('full jitter: the delay is uniform in [0, ceiling)', () => {
    const policy = { retry: 3, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect(computeBackoffDelay({ ...policy, random: () => 0 })).toBe(0);
    expect(computeBackoffDelay({ ...policy, random: () => 0.5 })).toBe(400);
    expect(computeBackoffDelay({ ...policy, random: () => 0.999999 })).toBe(799);
    for (let i = 0; i < 200; i++) {
      const delay = computeBackoffDelay(policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });
});

describe('WebSocketClient: reconnect', () => {
  test('after the server shuts down and comes back on the same port, the client re-authenticates and re-joins its rooms', async () => {
    node = await startNode();
    const port = node.port;
    let authCalls = 0;
    client = new WebSocketClient({
      url: node.url,
      auth: () => ({ token: `user:u${++authCalls}` }),
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    const first = await client.connect();
    await client.join(['lobby', 'news']);
    const events = recordEvents(client, ['disconnected', 'reconnecting', 'connected', 'reconnected']);
    const dropped = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected', { timeoutMs: 8_000 });

    await node.stop();
    expect(await dropped).toMatchObject({ code: WebSocketCloseCodes.GOING_AWAY, willReconnect: true });
    expect(client.state).toBe(WebSocketClientConnectionStates.RECONNECTING);
    node = await startNode({}, port);

    const again = await reconnected;
    expect(again.id).not.toBe(first.id);
    expect(again.userId).toBe(`u${authCalls}`); // the auth callback ran again for the new socket
    expect(authCalls).toBeGreaterThan(1);
    expect(again.rejoined.sort()).toEqual(['lobby', 'news']);
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
    expect(client.id).toBe(again.id);
    expect(client.rooms.sort()).toEqual(['lobby', 'news']);
    expect(events.filter(e => e.event === 'connected')).toHaveLength(1);
    expect(events.some(e => e.event === 'reconnecting')).toBe(true);

    const news = nextEvent(client, 'headline');
    node.helper.sendToRoom({ room: 'news', event: 'headline', data: 'back online' });
    expect(await news).toBe('back online');
  });

  test('a connection closed by the server for inactivity (4002) is re-established', async () => {
    node = await startNode();
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    const { id } = await client.connect();
    const dropped = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected');

    node.helper.getClients({ id })!.socket.close(WebSocketCloseCodes.HEARTBEAT_TIMEOUT, 'Heartbeat timeout');

    expect(await dropped).toEqual({ code: WebSocketCloseCodes.HEARTBEAT_TIMEOUT, reason: 'Heartbeat timeout', willReconnect: true });
    expect((await reconnected).rejoined).toEqual([]);
    expect(node.helper.getClients().size).toBe(1);
  });

  test('a connection closed as a slow consumer (4006) is re-established', async () => {
    // A wrapping transformer makes the client "encrypted" on the server (the contract's manual flow),
    // so a burst past maxQueuedEncrypted trips the slow-consumer policy for real.
    node = await startNode({ maxQueuedEncrypted: 5, outboundTransformer: ({ event, data }) => ({ event: 'wrapped', data: { event, data } }) });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    const { id } = await client.connect();
    const dropped = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected');

    node.helper.enableClientEncryption({ clientId: id });
    for (let i = 0; i < 6; i++) node.helper.sendToClient({ clientId: id, event: 'burst', data: i });

    expect(await dropped).toEqual({ code: WebSocketCloseCodes.SLOW_CONSUMER, reason: 'Slow consumer', willReconnect: true });
    expect((await reconnected).id).not.toBe(id);
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
    expect(node.helper.getStats().slowConsumerClosed).toBe(1);
  });

  test('gives up after maxAttempts failed attempts: last disconnected says willReconnect false, state closed', async () => {
    node = await startNode();
    client = new WebSocketClient({
      url: node.url,
      auth: () => ({ token: 'ok' }),
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 },
    });
    await client.connect();
    const events = recordEvents(client, ['disconnected', 'reconnecting']);
    const final = nextEvent(client, 'disconnected', { where: (d: { willReconnect: boolean }) => !d.willReconnect });

    await node.stop();
    node = undefined;

    await final;
    expect(events.map(e => (e.event === 'reconnecting' ? `retry ${e.data.attempt}` : `closed ${e.data.willReconnect}`))).toEqual([
      'closed true',
      'retry 1',
      'closed true',
      'retry 2',
      'closed false',
    ]);
    expect(events[0]!.data.code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
  });

  test('close() during the backoff wait cancels the pending attempt', async () => {
    node = await startNode();
    const port = node.port;
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), reconnect: { initialDelayMs: 300, maxDelayMs: 300 } });
    await client.connect();
    const scheduled = nextEvent<{ delayMs: number }>(client, 'reconnecting');
    await node.stop();
    const { delayMs } = await scheduled;
    client.close();
    node = await startNode({}, port);
    const connectedAgain = nextEvent(client, 'connected', { timeoutMs: delayMs + 300 }).then(
      () => true,
      () => false,
    );
    expect(await connectedAgain).toBe(false);
    expect(node.helper.getClients().size).toBe(0);
  });
});
