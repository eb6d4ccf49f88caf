/**
 * Type-level tests: `npm test` type-checks this file, so every `@ts-expect-error` below must
 * really be an error — a wrong event name or data shape that compiles fails the suite.
 * The runtime part checks the typed sends still deliver.
 */
import { afterEach, expect, test } from 'bun:test';
import { z } from 'zod';
import { WebSocketServerHelper, defineEvent, defineServerEvents, type TInferServerEvents } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

const serverEvents = defineServerEvents({
  'chat:message': z.object({ text: z.string(), from: z.string() }),
  'presence:count': z.number(),
});
type ServerEvents = TInferServerEvents<typeof serverEvents>;

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

/** Compile-time checks only; never called. */
export const typeChecks = (helper: WebSocketServerHelper<{ token: string }, { role: string }, ServerEvents>) => {
  helper.sendToRoom({ room: 'r', event: 'chat:message', data: { text: 'hi', from: 'a' } });
  helper.broadcast({ event: 'presence:count', data: 3 });
  helper.send({ destination: 'r', payload: { topic: 'presence:count', data: 4 } });
  helper.sendToUser({ userId: 'u', event: 'chat:message', data: { text: 'x', from: 'y' } });
  // @ts-expect-error unknown event name
  helper.sendToRoom({ room: 'r', event: 'chat:mesage', data: { text: 'hi', from: 'a' } });
  // @ts-expect-error wrong data shape
  helper.broadcast({ event: 'presence:count', data: '3' });
  // @ts-expect-error missing field
  helper.sendToClient({ clientId: 'c', event: 'chat:message', data: { text: 'hi' } });
  // @ts-expect-error wrong payload for send()
  helper.send({ payload: { topic: 'chat:message', data: 1 } });
  // The cluster-wide set and the user destination are typed by the same map.
  helper.cluster.sendToUser({ userId: 'u', event: 'chat:message', data: { text: 'x', from: 'y' } });
  helper.cluster.broadcast({ event: 'presence:count', data: 5, exclude: ['c'] });
  helper.send({ destination: { userId: 'u' }, payload: { topic: 'presence:count', data: 6 } });
  // @ts-expect-error unknown event name
  helper.cluster.sendToRoom({ room: 'r', event: 'chat:mesage', data: { text: 'hi', from: 'a' } });
  // @ts-expect-error wrong data shape
  helper.cluster.sendToClient({ clientId: 'c', event: 'presence:count', data: '3' });
  // @ts-expect-error a user destination is { userId }
  helper.send({ destination: { user: 'u' }, payload: { topic: 'presence:count', data: 6 } });
  // @ts-expect-error disconnect names exactly one of clientId / userId
  helper.cluster.disconnect({ clientId: 'c', userId: 'u' });

  // Typed inbound: the handler's data is the schema's output.
  defineEvent({
    event: 'chat:send',
    schema: z.object({ text: z.string() }),
    handler: data => {
      const text: string = data.text;
      // @ts-expect-error not in the schema
      void data.room;
      return text.length;
    },
  });

  // Metadata flows through the getters.
  const role: string | undefined = helper.getClients({ id: 'x' })?.metadata?.role;
  return role;
};

/** Without a map, any event and data are accepted (the contract's untyped API). */
export const untypedChecks = (helper: WebSocketServerHelper) => {
  helper.sendToRoom({ room: 'r', event: 'anything', data: { any: 'thing' } });
  helper.send({ payload: { topic: 'x', data: 1 } });
};

test('typed sends deliver exactly what the map describes', async () => {
  node = await startNode();
  const typed = node.helper as unknown as WebSocketServerHelper<any, any, ServerEvents>;
  const client = await TestClient.connect(node.url);
  typed.sendToRoom({ room: 'ws-default', event: 'chat:message', data: { text: 'hi', from: 'a' } });
  const frame = await client.next('chat:message');
  expect(serverEvents['chat:message'].parse(frame.data)).toEqual({ text: 'hi', from: 'a' });
  await client.close();
});
