// Compiled (never run) by the packaging test: the package's public types used the way an app
// uses them, under the app's strict flags, with the app's own copies of Ignis and its helpers.
import { RedisHelper } from '@venizia/ignis-helpers';
import { WebSocketBindingKeys, WebSocketEmitter, type IWebSocketServerOptions, type TWebSocketAuthenticateFn } from 'ignis-websocket';
import { WebSocketClient, WebSocketClientError } from 'ignis-websocket/client';
import { WebSocketTestClient, freePort } from 'ignis-websocket/testing';
import type { ClientEvents, ServerEvents } from './events.generated.js';

const redis = new RedisHelper({ name: 'typecheck', host: '127.0.0.1', port: 6379, password: '', autoConnect: false });
export const emitter = new WebSocketEmitter({ identifier: 'worker', redisConnection: redis });
export const redisKey: string = WebSocketBindingKeys.REDIS_CONNECTION;

export const authenticate: TWebSocketAuthenticateFn = ({ token }) => (typeof token === 'string' ? { userId: token } : null);
export const options: Partial<IWebSocketServerOptions> = { path: '/ws', authenticateFn: authenticate, redisConnection: redis };

export const typedClient = async (url: string): Promise<number> => {
  const client = new WebSocketClient<ServerEvents, ClientEvents>({ url, auth: () => ({ token: 't' }) });
  client.on('news', news => console.log(news.text.toUpperCase()));
  await client.connect();
  client.send('tree:put', { label: 'root', children: [{ label: 'leaf', children: [] }] });
  // @ts-expect-error a nested label must be a string
  client.send('tree:put', { label: 'root', children: [{ label: 1, children: [] }] });
  const reply = await client.request('tree:put', { label: 'x', children: [] });
  client.close();
  return reply.count;
};

export const isClientError = (error: unknown): boolean => error instanceof WebSocketClientError;

export const testClient = async (): Promise<string> => {
  const port = await freePort();
  const client = await WebSocketTestClient.connect(`ws://127.0.0.1:${port}/ws`, { token: 't' });
  const ack = await client.join(['lobby']);
  await client.close();
  return ack.rooms.join(',');
};
