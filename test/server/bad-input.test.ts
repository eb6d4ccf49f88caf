import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { RawWsClient } from '../support/raw-ws';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('malformed input is answered, never thrown', () => {
  test('each malformed envelope gets its documented error code and the connection stays open', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    const cases: [string, string][] = [
      ['{not json', WebSocketErrorCodes.INVALID_JSON],
      ['null', WebSocketErrorCodes.INVALID_MESSAGE],
      ['42', WebSocketErrorCodes.INVALID_MESSAGE],
      ['"text"', WebSocketErrorCodes.INVALID_MESSAGE],
      ['[1,2]', WebSocketErrorCodes.INVALID_MESSAGE],
      ['{}', WebSocketErrorCodes.INVALID_MESSAGE],
      ['{"event":7}', WebSocketErrorCodes.INVALID_MESSAGE],
      ['{"event":""}', WebSocketErrorCodes.INVALID_MESSAGE],
      ['{"event":"x","id":5}', WebSocketErrorCodes.INVALID_MESSAGE],
      ['{"event":"custom"}', WebSocketErrorCodes.UNKNOWN_EVENT],
    ];
    for (const [raw, code] of cases) {
      client.sendRaw(raw);
      const error = await client.next('error');
      expect({ raw, code: error.data.code }).toEqual({ raw, code });
      expect(typeof error.data.message).toBe('string');
    }
    client.sendRaw(new Uint8Array([1, 2, 3]));
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.BINARY_NOT_SUPPORTED);
    expect(client.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  test('the error for a request carries its id', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    const answer = await client.request('no-such-event', {}, 'error');
    expect(answer.data.code).toBe(WebSocketErrorCodes.UNKNOWN_EVENT);
    expect(answer.data.id).toBe(answer.id);
    await client.close();
  });

  test('messageHandler receives custom events; a throwing handler answers HANDLER_ERROR and the client stays', async () => {
    const seen: unknown[] = [];
    node = await startNode({
      messageHandler: ({ clientId, userId, message }) => {
        if (message.event === 'boom') throw new Error('handler bug');
        seen.push({ clientId, userId, event: message.event, data: message.data });
        node!.helper.sendToClient({ clientId, event: 'handled', data: message.event });
      },
    });
    const client = await TestClient.connect(node.url);
    const error = await client.request('boom', {}, 'error');
    expect(error.data.code).toBe(WebSocketErrorCodes.HANDLER_ERROR);
    client.send({ event: 'chat', data: { text: 'hi' } });
    await client.next('handled');
    expect(seen).toContainEqual({ clientId: client.id, userId: 'user-1', event: 'chat', data: { text: 'hi' } });
    expect(client.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  test('a text frame with invalid UTF-8 closes that socket with 1007; the server keeps serving', async () => {
    node = await startNode();
    const other = await TestClient.connect(node.url);
    const raw = await RawWsClient.open(node.port);
    const admitted = raw.waitFor('connected');
    raw.sendJson({ event: 'authenticate', data: { token: 'ok' } });
    await admitted;
    raw.sendFrame(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xa0, 0xa1, 0x22, 0x7d]));
    expect(await raw.closed).toBe(WebSocketCloseCodes.INVALID_PAYLOAD);
    node.helper.sendToRoom({ room: 'ws-default', event: 'ok', data: 1 });
    expect((await other.next('ok')).data).toBe(1);
    await other.close();
  });

  test('heartbeat is accepted in any state and answered with nothing', async () => {
    node = await startNode();
    const client = await TestClient.open(node.url);
    client.send({ event: 'heartbeat' });
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    await client.next('connected');
    client.send({ event: 'heartbeat' });
    node.helper.sendToClient({ clientId: client.id, event: 'marker', data: 1 });
    await client.next('marker');
    expect(client.all('error')).toHaveLength(0);
    await client.close();
  });

  test('a 1 MB frame closes only that socket (1009); a flood and junk from one client leave others served', async () => {
    node = await startNode();
    const victim = await TestClient.connect(node.url);
    const big = await TestClient.connect(node.url);
    const flooder = await TestClient.connect(node.url);
    big.sendRaw(JSON.stringify({ event: 'x', data: 'y'.repeat(1024 * 1024) }));
    expect((await big.closed).code).toBe(WebSocketCloseCodes.MESSAGE_TOO_BIG);
    for (let i = 0; i < 5_000; i++) flooder.sendRaw(i % 2 ? '{bad' : '[]');
    flooder.sendRaw(new Uint8Array([0xff, 0xfe, 0xfd]));
    node.helper.sendToRoom({ room: 'ws-default', event: 'still-here', data: 1 });
    expect((await victim.next('still-here')).data).toBe(1);
    const fresh = await TestClient.connect(node.url);
    expect(fresh.readyState).toBe(WebSocket.OPEN);
    for (const c of [victim, flooder, fresh]) await c.close();
  });

  test('200 connect/disconnect cycles leave the clients, users and rooms maps empty', async () => {
    node = await startNode();
    for (let i = 0; i < 200; i++) {
      const client = await TestClient.open(node.url);
      if (i % 4 === 0) {
        await client.close();
        continue;
      }
      client.send({ event: 'authenticate', data: { token: `user:u${i % 7}` } });
      await client.next('connected');
      if (i % 3 === 0) await client.request('join', { rooms: [`room-${i % 5}`] }, 'joined');
      await client.close();
    }
    await node.untilEmpty();
    const registry = (node.helper as any).registry;
    expect(registry.clients.size).toBe(0);
    expect(registry.userCount).toBe(0);
    expect(registry.rooms.size).toBe(0);
    // The in-process broker subscribes to nothing; Redis interest clean-up is pinned in test/broker and test/cross-instance.
    expect(node.helper.getSubscribedChannels()).toEqual([]);
  });
});
