import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketDefaults, WebSocketServerHelper } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('options and lifecycle', () => {
  test('documented defaults: path /ws and Bun native options', async () => {
    node = await startNode();
    expect(node.helper.getPath()).toBe(WebSocketDefaults.PATH);
    const handler = node.helper.getBunWebSocketHandler();
    expect(handler.maxPayloadLength).toBe(128 * 1024);
    expect(handler.idleTimeout).toBe(60);
    expect(handler.backpressureLimit).toBe(1024 * 1024);
    expect(handler.sendPings).toBe(true);
    expect(handler.publishToSelf).toBe(false);
    expect(typeof handler.open).toBe('function');
    expect(typeof handler.message).toBe('function');
    expect(typeof handler.close).toBe('function');
    expect(typeof handler.drain).toBe('function');
  });

  test('serverOptions override Bun options; a custom path is the only one upgraded', async () => {
    node = await startNode({ path: '/live', serverOptions: { maxPayloadLength: 1024, idleTimeout: 30 } });
    const handler = node.helper.getBunWebSocketHandler();
    expect(handler.maxPayloadLength).toBe(1024);
    expect(handler.idleTimeout).toBe(30);
    const client = await TestClient.connect(`ws://127.0.0.1:${node.port}/live`);
    await expect(TestClient.open(`ws://127.0.0.1:${node.port}/ws`)).rejects.toThrow();
    await client.close();
  });

  test('authenticateFn is required', () => {
    expect(() => new WebSocketServerHelper({ identifier: 'x', server: {} as any } as any)).toThrow(/authenticateFn/);
  });

  test('shutdown closes clients with 1001 after their disconnect callbacks and clears every map', async () => {
    const disconnected: string[] = [];
    const sockets = new Map<string, { readyState: number }>();
    const openDuringCallback: boolean[] = [];
    node = await startNode({
      clientDisconnectedFn: ({ clientId }) => {
        disconnected.push(clientId);
        openDuringCallback.push(sockets.get(clientId)?.readyState === WebSocket.OPEN);
      },
    });
    const a = await TestClient.connect(node.url);
    const b = await TestClient.connect(node.url);
    for (const c of [a, b]) sockets.set(c.id, node.helper.getClients({ id: c.id })!.socket);
    const pending = await TestClient.open(node.url);
    await a.request('join', { rooms: ['r'] }, 'joined');
    await node.helper.shutdown();
    expect((await a.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect((await b.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect((await pending.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect(disconnected.sort()).toEqual([a.id, b.id].sort());
    expect(openDuringCallback).toEqual([true, true]); // each callback ran while its socket was still open
    expect(node.helper.getClients().size).toBe(0);
    expect(node.helper.getClientsByRoom({ room: 'r' })).toEqual([]);
    expect(node.helper.getSubscribedChannels()).toEqual([]);
  });
});

describe('passive heartbeat', () => {
  test('a silent authenticated client is closed with 4002; one that keeps talking stays', async () => {
    node = await startNode({ heartbeatInterval: 50, heartbeatTimeout: 300 });
    const silent = await TestClient.connect(node.url);
    const chatty = await TestClient.connect(node.url);
    const beat = setInterval(() => chatty.send({ event: 'heartbeat' }), 60);
    const closed = await silent.closed;
    clearInterval(beat);
    expect(closed.code).toBe(WebSocketCloseCodes.HEARTBEAT_TIMEOUT);
    expect(chatty.readyState).toBe(WebSocket.OPEN);
    const tracked = node.helper.getClients({ id: chatty.id })!;
    expect(Date.now() - tracked.lastActivity).toBeLessThan(300);
    await chatty.close();
  });

  test('any message refreshes lastActivity', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    const tracked = node.helper.getClients({ id: client.id })!;
    tracked.lastActivity = 0;
    await client.request('unknown', {}, 'error');
    expect(tracked.lastActivity).toBeGreaterThan(0);
    await client.close();
  });
});
