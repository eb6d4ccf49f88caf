/**
 * A runtime without a global `WebSocket` (Node 20): the client refuses to start without
 * `WebSocketImpl`, naming the option, and works with a class passed in. The global is removed for
 * each test and restored after it.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { WebSocketClient } from '../../src/client';
import { startNode, type ITestNode } from '../support/server';

const BunWebSocket = globalThis.WebSocket;
let node: ITestNode | undefined;
let client: WebSocketClient | undefined;

beforeEach(() => {
  Reflect.deleteProperty(globalThis, 'WebSocket');
});
afterEach(async () => {
  globalThis.WebSocket = BunWebSocket;
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

test('without a global WebSocket and without WebSocketImpl the constructor says what to pass', () => {
  expect(globalThis.WebSocket).toBeUndefined();
  expect(() => new WebSocketClient({ url: 'ws://127.0.0.1:1/ws', auth: () => ({}) })).toThrow('pass WebSocketImpl');
});

test('with WebSocketImpl the client connects and receives without any global WebSocket', async () => {
  node = await startNode();
  client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'user:ada' }), WebSocketImpl: BunWebSocket });
  const identity = await client.connect();
  expect(globalThis.WebSocket).toBeUndefined();
  const news = new Promise(resolve => client!.on('news', resolve));
  node.helper.sendToClient({ clientId: identity.id, event: 'news', data: { text: 'hi' } });
  expect(await news).toEqual({ text: 'hi' });
});
