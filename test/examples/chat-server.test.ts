/**
 * The chat example's server rules, checked with the client library in-process (no browser):
 * demo auth, the room policy, the typed `chat:send` event, and graceful stop.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketClient, WebSocketClientError } from '../../src/client';
import { startChat, type IRunningChat } from '../../examples/chat';
import type { ClientEvents, ServerEvents } from '../../examples/chat/public/events.generated';
import { generateClientTypes } from '../../src/codegen';
import { events, serverEvents } from '../../examples/chat/events';
import { spawnBun } from '../support/child-process';
import { scrape } from '../support/prometheus';

let chat: IRunningChat;
let wsUrl: string;

beforeAll(async () => {
  chat = await startChat({ host: '127.0.0.1', port: 0, instance: 'solo' });
  wsUrl = `${chat.url.replace('http', 'ws')}/ws`;
});
afterAll(async () => {
  await chat?.stop();
}, 20_000);

const connectAs = async (name: unknown) => {
  const client = new WebSocketClient<ServerEvents, ClientEvents>({ url: wsUrl, auth: () => ({ name }), reconnect: { enabled: false } });
  await client.connect();
  return client;
};

describe('chat example server', () => {
  test('serves the page, the bundled script and the instance info', async () => {
    const page = await fetch(chat.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${chat.url}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('class WebSocketClient');
    expect(await (await fetch(`${chat.url}/api/info`)).json()).toEqual({ instance: 'solo', redis: false });
  });

  test('demo auth: a name becomes the user id; an empty or odd name is closed with 4003', async () => {
    const ada = await connectAs('  ada  ');
    expect(ada.userId).toBe('ada');
    ada.close();
    for (const name of ['', 'x'.repeat(25), '<script>', 42]) {
      const error = await connectAs(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error instanceof WebSocketClientError && error.closeCode).toBe(4003);
    }
  });

  test('rooms: names matching /^[a-z0-9-]{1,32}$/ are joined, others refused', async () => {
    const ada = await connectAs('ada');
    expect(await ada.join(['general', 'team-42', 'General', 'a'.repeat(33), 'ws:internal'])).toEqual({
      rooms: ['general', 'team-42'],
      refused: ['General', 'a'.repeat(33), 'ws:internal'],
    });
    ada.close();
  });

  test('chat:send reaches the room with { id, room, text, from, at, via } and replies { at }', async () => {
    const [ada, bob] = [await connectAs('ada'), await connectAs('bob')];
    await ada.join(['general']);
    await bob.join(['general']);
    const received = new Promise<ServerEvents['chat:message']>(resolve => bob.on('chat:message', resolve));
    const reply = await ada.request('chat:send', { room: 'general', text: '  hello  ' });
    const message = await received;
    expect(message).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), room: 'general', text: 'hello', from: 'ada', at: reply.at, via: 'solo' });
    ada.close();
    bob.close();
  });

  test('chat:send is refused for a room the sender has not joined, and for empty or too long text', async () => {
    const ada = await connectAs('ada');
    await ada.join(['general']);
    const codeOf = (data: ClientEvents['chat:send']) =>
      ada.request('chat:send', data).then(
        () => 'accepted',
        (e: WebSocketClientError) => e.code,
      );
    expect(await codeOf({ room: 'elsewhere', text: 'hi' })).toBe('NOT_IN_ROOM');
    expect(await codeOf({ room: 'general', text: '   ' })).toBe('VALIDATION_FAILED');
    expect(await codeOf({ room: 'general', text: 'x'.repeat(501) })).toBe('VALIDATION_FAILED');
    expect(await codeOf({ room: 'general', text: 'x'.repeat(500) })).toBe('accepted');
    ada.close();
  });
});

test('serves GET /health/ws and GET /metrics, counting a chat message', async () => {
  const own = await startChat({ host: '127.0.0.1', port: 0, instance: 'metrics' });
  try {
    const health = await fetch(`${own.url}/health/ws`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', broker: 'memory', redis: 'none', clients: 0 });

    const ada = new WebSocketClient<ServerEvents, ClientEvents>({ url: `${own.url.replace('http', 'ws')}/ws`, auth: () => ({ name: 'ada' }), reconnect: { enabled: false } });
    await ada.connect();
    await ada.join(['general']);
    await ada.request('chat:send', { room: 'general', text: 'hi' });
    const m = await scrape(`${own.url}/metrics`);
    expect(m.get('ignis_ws_connections', { state: 'authenticated' })).toBe(1);
    expect(m.get('ignis_ws_authentications_total', { result: 'success' })).toBe(1);
    expect(m.get('ignis_ws_messages_sent_total', { kind: 'room' })).toBe(1);
    expect(m.get('ignis_ws_rooms')).toBe(3); // the two default rooms and 'general'
    ada.close();
  } finally {
    await own.stop();
  }
  const after = await fetch(`${own.url}/health/ws`).then(
    res => res.status,
    () => 'refused',
  );
  expect(after).toBe('refused');
});

test('`npm start` with an unreachable REDIS_URL says why and exits 1 instead of half-starting', async () => {
  const child = spawnBun(['examples/chat/index.ts'], { PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' });
  expect(await child.exitWithin(15_000)).toBe(1);
  expect(child.output()).toContain('Chat could not start:');
  expect(child.output(), child.output()).toContain('cannot reach Redis at 127.0.0.1:1');
}, 20_000);

test('public/events.generated.ts is what `npm run generate:client-types` makes from events.ts today', async () => {
  const committed = await Bun.file(`${import.meta.dir}/../../examples/chat/public/events.generated.ts`).text();
  expect(committed).toBe(generateClientTypes({ events, serverEvents }));
});
