/**
 * `ignis-websocket/testing` beyond what every other test already exercises through
 * test/support (open, connect, next, request, close): refused authentication, join / leave,
 * a WebSocket class of the caller's choice, the test node's clean-up, and freePort.
 */
import { afterEach, expect, test } from 'bun:test';
import { createServer } from 'node:net';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { WebSocketTestClient, freePort, startWebSocketTestNode, type IWebSocketTestNode } from '../../src/testing';

let node: IWebSocketTestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

const start = async () => {
  node = await startWebSocketTestNode({
    authenticateFn: ({ token }) => (token === 'ok' ? { userId: 'u1' } : null),
    validateRoomFn: ({ rooms }) => rooms.filter(room => room.startsWith('public-')),
  });
  return node;
};

test('connect resolves once connected, with the id the server gave', async () => {
  const { url, helper } = await start();
  const client = await WebSocketTestClient.connect(url, { token: 'ok' });
  expect(helper.getClients({ id: client.id })?.userId).toBe('u1');
  await client.close();
});

test('a refused authentication rejects with the server error, and the socket is closed 4003', async () => {
  const { url } = await start();
  const client = await WebSocketTestClient.open(url);
  const refused = await client.authenticate({ token: 'wrong' }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(refused?.message).toContain('authentication refused');
  expect(refused?.message).toContain(WebSocketErrorCodes.AUTH_FAILED);
  expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
  await expect(WebSocketTestClient.connect(url, { token: 'wrong' })).rejects.toThrow('authentication refused');
});

test('join and leave resolve with the server answer: rooms taken and refused', async () => {
  const { url, helper } = await start();
  const client = await WebSocketTestClient.connect(url, { token: 'ok' });
  expect(await client.join(['public-a', 'secret'])).toEqual({ rooms: ['public-a'], refused: ['secret'] });
  expect(helper.getClients({ id: client.id })?.rooms.has('public-a')).toBe(true);
  expect(await client.leave(['public-a'])).toEqual({ rooms: ['public-a'], refused: [] });
  expect(helper.getClients({ id: client.id })?.rooms.has('public-a')).toBe(false);
  await client.close();
});

test('next awaits a later frame; all lists what arrived', async () => {
  const { url, helper } = await start();
  const client = await WebSocketTestClient.connect(url, { token: 'ok' });
  const later = client.next('news', f => f.data.n === 2);
  helper.sendToClient({ clientId: client.id, event: 'news', data: { n: 1 } });
  helper.sendToClient({ clientId: client.id, event: 'news', data: { n: 2 } });
  expect((await later).data).toEqual({ n: 2 });
  expect(client.all('news').map(f => f.data.n)).toEqual([1, 2]);
  await client.close();
});

test('the WebSocketImpl option picks the socket class (what Node 20 passes from the ws package)', async () => {
  const { url } = await start();
  const opened: string[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(target: string) {
      super(target);
      opened.push(target);
    }
  }
  const client = await WebSocketTestClient.connect(url, { token: 'ok' }, { WebSocketImpl: RecordingWebSocket });
  expect(opened).toEqual([url]);
  await client.close();
});

test('untilEmpty resolves once the last client is gone; stop closes clients with 1001', async () => {
  const { url } = await start();
  const a = await WebSocketTestClient.connect(url, { token: 'ok' });
  const b = await WebSocketTestClient.connect(url, { token: 'ok' });
  await a.close();
  const empty = node!.untilEmpty();
  await node!.stop();
  node = undefined;
  expect((await b.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
  await empty;
});

test('freePort gives a loopback port nothing listens on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>(resolve => server.close(() => resolve()));
});
