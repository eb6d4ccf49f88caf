import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketErrorCodes, type IWebSocketMessage } from '../../src';
import { WebSocketClient, WebSocketClientError, WebSocketClientErrorCodes } from '../../src/client';
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

/** Event maps used to check the generics: these lines are type-checked by `tsc`. */
type TServerEvents = {
  chat: { from: string; text: string };
  tick: number;
};
type TClientEvents = {
  say: { text: string };
  ping: undefined;
};

const connectTyped = async (url: string) => {
  const typed = new WebSocketClient<TServerEvents, TClientEvents>({ url, auth: () => ({ token: 'ok' }) });
  client = typed;
  await typed.connect();
  return typed;
};

describe('WebSocketClient: rooms', () => {
  test('join() resolves with the ack (joined and refused) and the rooms are tracked; room messages arrive', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);

    const ack = await typed.join(['lobby', 'ws:internal']);

    expect(ack).toEqual({ rooms: ['lobby'], refused: ['ws:internal'] });
    expect(typed.rooms).toEqual(['lobby']);
    const chat = nextEvent(typed, 'chat');
    node.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { from: 'srv', text: 'hi' } });
    expect(await chat).toEqual({ from: 'srv', text: 'hi' });
  });

  test('leave() resolves with the ack and the room is no longer tracked', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);
    await typed.join(['a', 'b']);

    expect(await typed.leave(['a', 'never-joined'])).toEqual({ rooms: ['a'], refused: [] });

    expect(typed.rooms).toEqual(['b']);
    expect(node.helper.getClientsByRoom({ room: 'a' })).toHaveLength(0);
  });

  test('a server error answering a request rejects that request with the server code', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);
    const failure = (await typed.join([]).catch(e => e)) as WebSocketClientError;
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketErrorCodes.INVALID_ROOMS);
  });

  test('an unanswered join() rejects with REQUEST_TIMEOUT; one cut off by a close rejects with CONNECTION_CLOSED', async () => {
    node = await startNode({ validateRoomFn: () => new Promise<string[]>(() => undefined) }); // never answers
    client = new WebSocketClient({
      url: node.url,
      auth: () => ({ token: 'ok' }),
      requestTimeoutMs: 100,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    const { id } = await client.connect();

    const timedOut = (await client.join(['slow']).catch(e => e)) as WebSocketClientError;
    expect(timedOut.code).toBe(WebSocketClientErrorCodes.REQUEST_TIMEOUT);

    const pending = client.join(['slow']).catch(e => e);
    node.helper.getClients({ id })!.socket.close(4000, 'gone');
    const cutOff = (await pending) as WebSocketClientError;
    expect(cutOff.code).toBe(WebSocketClientErrorCodes.CONNECTION_CLOSED);
    expect(cutOff.closeCode).toBe(4000);
  });

  test('join() before connect() rejects with NOT_CONNECTED', async () => {
    client = new WebSocketClient({ url: 'ws://127.0.0.1:9/ws', auth: () => ({}) });
    const failure = (await client.join(['x']).catch(e => e)) as WebSocketClientError;
    expect(failure.code).toBe(WebSocketClientErrorCodes.NOT_CONNECTED);
  });
});

describe('WebSocketClient: events', () => {
  test('send() reaches the server messageHandler; on() handlers get server events and unsubscribe', async () => {
    const received: IWebSocketMessage[] = [];
    let gotSay!: () => void;
    const said = new Promise<void>(resolve => (gotSay = resolve));
    node = await startNode({
      messageHandler: ({ message }) => {
        received.push(message);
        gotSay();
      },
    });
    const typed = await connectTyped(node.url);

    expect(typed.send('say', { text: 'hello' })).toBe(true);
    await said;
    expect(received).toEqual([{ event: 'say', data: { text: 'hello' }, id: undefined }]);

    const ticks: number[] = [];
    const unsubscribe = typed.on('tick', n => void ticks.push(n));
    const first = nextEvent(typed, 'tick');
    node.helper.sendToClient({ clientId: typed.id!, event: 'tick', data: 1 });
    await first;
    unsubscribe();
    const second = nextEvent(typed, 'tick', { where: (n: number) => n === 2 });
    node.helper.sendToClient({ clientId: typed.id!, event: 'tick', data: 2 });
    await second;
    expect(ticks).toEqual([1]);
  });

  test('unparseable and reserved-name frames are dropped and reported through on("error"), never thrown', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);
    const events = recordEvents(typed, ['error', 'disconnected']);
    const chat = nextEvent(typed, 'chat');

    // Raw frames, past the server's serialisation: the socket joins a Bun topic of the test's own.
    node.helper.getClients({ id: typed.id! })!.socket.subscribe('raw-frames');
    for (const frame of ['not json', '[1,2]', '{"data":1}', '{"event":"disconnected","data":{}}']) {
      node.server.publish('raw-frames', frame);
    }
    node.helper.sendToClient({ clientId: typed.id!, event: 'chat', data: { from: 'a', text: 'still here' } });

    expect(await chat).toEqual({ from: 'a', text: 'still here' });
    expect(events.map(e => e.data.code)).toEqual([
      WebSocketClientErrorCodes.UNPARSEABLE_FRAME,
      WebSocketClientErrorCodes.UNPARSEABLE_FRAME,
      WebSocketClientErrorCodes.UNPARSEABLE_FRAME,
      WebSocketClientErrorCodes.RESERVED_EVENT,
    ]);
    expect(events.every(e => e.event === 'error' && e.data.source === 'client')).toBe(true);
    expect(typed.state).toBe('open');
  });

  test('a throwing handler is reported as HANDLER_FAILED and the other handlers still run', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);
    typed.on('chat', () => {
      throw new Error('boom');
    });
    const reported = nextEvent(typed, 'error');
    const delivered = nextEvent(typed, 'chat');
    node.helper.sendToClient({ clientId: typed.id!, event: 'chat', data: { from: 'a', text: 'x' } });
    expect(await delivered).toEqual({ from: 'a', text: 'x' });
    expect(await reported).toMatchObject({ source: 'client', code: WebSocketClientErrorCodes.HANDLER_FAILED });
  });

  test('server error events without a request id reach on("error") with the server code', async () => {
    node = await startNode();
    const typed = await connectTyped(node.url);
    const reported = nextEvent(typed, 'error');
    typed.send('say', { text: 'nobody handles this' }); // no messageHandler on this server
    expect(await reported).toMatchObject({ source: 'server', code: WebSocketErrorCodes.UNKNOWN_EVENT });
  });

  test('event maps type on() and send() (checked by tsc)', () => {
    const typed = new WebSocketClient<TServerEvents, TClientEvents>({ url: 'ws://127.0.0.1:9/ws', auth: () => ({}) });
    typed.on('chat', msg => msg.text.toUpperCase());
    typed.on('tick', n => n.toFixed(0));
    typed.on('disconnected', info => info.willReconnect);
    typed.send('ping');
    // @ts-expect-error wrong payload type for 'say'
    typed.send('say', { text: 1 });
    // @ts-expect-error 'say' needs its payload
    typed.send('say');
    // @ts-expect-error unknown client event
    typed.send('shout', {});
    // @ts-expect-error unknown server event
    typed.on('unknown', () => undefined);
    // @ts-expect-error handler typed by ServerEvents['tick']
    typed.on('tick', (n: string) => n);
    expect(typed.send('ping')).toBe(false); // not connected: nothing sent
  });
});
