import { afterEach, describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { WebSocketErrorCodes, WebSocketEventError, WebSocketServerHelper, defineEvent } from '../../src';
import { captureLogs } from '../support/log-capture';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

const calls: unknown[] = [];
const events = [
  defineEvent({
    event: 'chat:send',
    schema: z.object({ room: z.string().min(1), text: z.string().min(1).max(20) }),
    handler: ({ room, text }, ctx) => {
      calls.push({ room, text, clientId: ctx.clientId, userId: ctx.userId });
      ctx.helper.sendToRoom({ room, event: 'chat:message', data: { text, from: ctx.userId } });
      return { delivered: true };
    },
  }),
  defineEvent({
    event: 'math:add',
    schema: z.tuple([z.number(), z.number()]),
    handler: ([a, b], ctx) => {
      ctx.reply(a + b);
      ctx.reply(-1); // a second reply is ignored: one reply per id
    },
  }),
  defineEvent({
    event: 'explode',
    schema: z.object({}),
    handler: () => {
      throw new Error('bug in handler');
    },
  }),
];

describe('typed events', () => {
  test('valid data runs the handler with parsed data and context; the return value is the reply', async () => {
    calls.length = 0;
    node = await startNode({ events });
    const client = await TestClient.connect(node.url);
    await client.request('join', { rooms: ['general'] }, 'joined');
    const reply = await client.request('chat:send', { room: 'general', text: 'hi' }, 'chat:send:reply');
    expect(reply.data).toEqual({ delivered: true });
    expect((await client.next('chat:message')).data).toEqual({ text: 'hi', from: 'user-1' });
    expect(calls).toEqual([{ room: 'general', text: 'hi', clientId: client.id, userId: 'user-1' }]);
  });

  test('ctx.reply answers once per id', async () => {
    node = await startNode({ events });
    const client = await TestClient.connect(node.url);
    const reply = await client.request('math:add', [2, 3], 'math:add:reply');
    expect(reply.data).toBe(5);
    await client.request('math:add', [1, 1], 'math:add:reply');
    expect(client.all('math:add:reply').map(f => f.data)).toEqual([5, 2]);
  });

  test('a message without id gets no reply', async () => {
    calls.length = 0;
    node = await startNode({ events });
    const client = await TestClient.connect(node.url);
    client.send({ event: 'chat:send', data: { room: 'r', text: 'x' } });
    await client.request('math:add', [0, 0], 'math:add:reply');
    expect(calls).toHaveLength(1);
    expect(client.all('chat:send:reply')).toHaveLength(0);
  });

  test('invalid data answers VALIDATION_FAILED with trimmed issues; the handler does not run', async () => {
    calls.length = 0;
    node = await startNode({ events });
    const client = await TestClient.connect(node.url);
    const error = await client.request('chat:send', { room: '', text: 'x'.repeat(50), extra: 1 }, 'error');
    expect(error.data.code).toBe(WebSocketErrorCodes.VALIDATION_FAILED);
    expect(error.data.id).toBe(error.id);
    expect(error.data.issues.map((i: { path: unknown[] }) => i.path)).toEqual([['room'], ['text']]);
    expect(typeof error.data.issues[0].message).toBe('string');
    expect(calls).toHaveLength(0);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });

  test('a throwing handler answers HANDLER_ERROR with the id and is logged as a fault; the client and others carry on', async () => {
    node = await startNode({ events });
    const client = await TestClient.connect(node.url);
    const other = await TestClient.connect(node.url);
    const logs = captureLogs();
    const error = await client.request('explode', {}, 'error').finally(() => logs.stop());
    expect(logs.at('error').filter(e => e.message.includes('[handler-error]') && e.message.includes('explode'))).toHaveLength(1);
    expect(error.data.code).toBe(WebSocketErrorCodes.HANDLER_ERROR);
    expect(error.data.id).toBe(error.id);
    expect((await client.request('math:add', [1, 2], 'math:add:reply')).data).toBe(3);
    expect((await other.request('math:add', [2, 2], 'math:add:reply')).data).toBe(4);
  });

  test('ctx.fail / WebSocketEventError refuse with an app code and details; nothing is logged as a fault', async () => {
    const refusing = [
      defineEvent({
        event: 'room:post',
        schema: z.object({ room: z.string() }),
        handler: ({ room }, ctx) => ctx.fail('NOT_IN_ROOM', `Join '${room}' first`, { room }),
      }),
    ];
    node = await startNode({
      events: refusing,
      messageHandler: () => {
        throw new WebSocketEventError('READ_ONLY', 'This channel is read-only');
      },
    });
    const client = await TestClient.connect(node.url);
    const logs = captureLogs();
    try {
      const refused = await client.request('room:post', { room: 'vip' }, 'error');
      expect(refused.data).toEqual({ message: "Join 'vip' first", code: 'NOT_IN_ROOM', details: { room: 'vip' }, id: refused.id });
      const plain = await client.request('legacy', {}, 'error');
      expect(plain.data.code).toBe('READ_ONLY');
    } finally {
      logs.stop();
    }
    expect(client.all('room:post:reply')).toHaveLength(0);
    // A refusal is an answer, not a fault: not a line at warn or error (the test above shows a fault is).
    expect([...logs.at('error'), ...logs.at('warn')]).toEqual([]);
  });

  test('typed events and the plain messageHandler live side by side', async () => {
    const plain: string[] = [];
    node = await startNode({ events, messageHandler: ({ message }) => void plain.push(message.event) });
    const client = await TestClient.connect(node.url);
    client.send({ event: 'legacy:event', data: 1 });
    await client.request('math:add', [1, 2], 'math:add:reply');
    expect(plain).toEqual(['legacy:event']);
  });

  test('an event defined twice is a start-up error', () => {
    const duplicate = { identifier: 'dup', server: {} as any, authenticateFn: () => null, events: [events[0]!, events[0]!] };
    expect(() => new WebSocketServerHelper(duplicate)).toThrow(/defined twice/);
  });
});
