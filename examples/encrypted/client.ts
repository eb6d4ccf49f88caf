/**
 * The client side of the encrypted example, on Bun: gets a JWT from the demo route, connects with
 * `encryption: true`, and prints what travels on the wire next to what the client decrypted.
 *
 *   bun examples/encrypted/client.ts                                 # starts its own server
 *   SERVER_URL=http://localhost:3001 bun examples/encrypted/client.ts  # uses a running server.ts
 */
import { WebSocketClient } from 'ignis-websocket/client';
import { startEncryptedServer } from './server';

type ServerEvents = {
  welcome: { text: string };
  'echo:reply': { text: string; at: string };
};
type ClientEvents = { echo: { text: string } };

export interface IEncryptedRun {
  /** Frames exactly as they arrived on the socket. */
  wire: string[];
  welcome: ServerEvents['welcome'];
  reply: ServerEvents['echo:reply'];
  connected: { id: string; userId?: string };
}

/** Connects as `userId`, waits for the encrypted welcome, sends one echo request, then closes. */
export const runEncryptedClient = async (serverUrl: string, userId: string, log: (line: string) => void = () => {}) => {
  const response = await fetch(`${serverUrl}/demo-token`, { method: 'POST', body: JSON.stringify({ userId }) });
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };

  // A WebSocket that records raw frames, only to show them; a normal app passes nothing here.
  const wire: string[] = [];
  class WireTap extends WebSocket {
    constructor(url: string) {
      super(url);
      this.addEventListener('message', event => {
        wire.push(String(event.data));
        log(`wire  <- ${String(event.data).slice(0, 110)}${String(event.data).length > 110 ? '…' : ''}`);
      });
    }
  }

  const client = new WebSocketClient<ServerEvents, ClientEvents>({
    url: `${serverUrl.replace(/^http/, 'ws')}/ws`,
    auth: () => ({ type: 'Bearer', token }),
    encryption: true,
    WebSocketImpl: WireTap,
  });
  try {
    const welcome = new Promise<ServerEvents['welcome']>(resolve => client.on('welcome', resolve));
    const connected = await client.connect();
    log(`connected as ${connected.userId} (connection ${connected.id})`);
    const greeting = await welcome;
    log(`decrypted: welcome ${JSON.stringify(greeting)}`);
    const reply = await client.request('echo', { text: 'attack at dawn' });
    log(`decrypted: echo:reply ${JSON.stringify(reply)}`);
    return { wire, welcome: greeting, reply, connected } satisfies IEncryptedRun;
  } finally {
    client.close();
  }
};

if (import.meta.main) {
  const external = process.env.SERVER_URL;
  try {
    const server = external ? undefined : await startEncryptedServer({ port: 0 });
    try {
      await runEncryptedClient(external ?? server!.url, process.argv[2] ?? 'ada', line => console.log(line));
    } finally {
      await server?.stop();
    }
  } catch (error) {
    // Report and exit non-zero ourselves: Ignis's logger swallows uncaught errors and the process would exit 0.
    console.error(`encrypted example failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
