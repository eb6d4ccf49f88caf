/**
 * The client library inside an encrypted session, against the component's shipped providers
 * (ECDH handshake, AES-GCM transformers, key store): only counted `encrypted` frames reach the
 * app, each once and in order, and what the app sends travels the same way. The shipped outbound
 * transformer is tapped, so a test can send one of its frames again (a replay) or hold one back
 * and send it after a later one (a reorder) through the client's raw socket on the server.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { inject } from '@venizia/ignis';
import {
  AesGcmOutboundTransformerProvider,
  ClientKeyStore,
  EcdhHandshakeProvider,
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  deriveAesKey,
  generateEcdhKeyPair,
  generateSalt,
  getWebSocketHelper,
  type IEcdhAgreement,
  type TWebSocketOutboundTransformer,
} from '../../src';
import {
  WebSocketClient,
  WebSocketClientConnectionStates,
  WebSocketClientError,
  WebSocketClientErrorCodes,
  type IWebSocketClientErrorEvent,
  type IWebSocketClientOptions,
  type IWebSocketServerKeyInfo,
} from '../../src/client';
import { StaticTokenAuthProvider } from '../component/fixtures/providers';
import { TestApp } from '../component/fixtures/test-app';
import { nextEvent } from '../support/client-events';
import { Inbox } from '../support/inbox';

/** Every frame the shipped transformer made, by event; events in `held` are made but not sent. */
class OutboundTap {
  readonly made: { event: string; frame: { event: string; data: unknown } }[] = [];
  readonly held = new Set<string>();

  /** The frame the transformer made for the (first) message of `event`. */
  frameOf(event: string): { event: string; data: unknown } {
    const entry = this.made.find(made => made.event === event);
    if (!entry) throw new Error(`the transformer made no frame for '${event}'`);
    return entry.frame;
  }
}

let tap = new OutboundTap();
let inbox = new Inbox();

/** The shipped AES-GCM transformer, unchanged, with the tap around it. */
class TappedOutboundProvider extends AesGcmOutboundTransformerProvider {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) keys: ClientKeyStore) {
    super(keys);
  }

  override value(): TWebSocketOutboundTransformer {
    const shipped = super.value();
    return async opts => {
      const frame = await shipped(opts);
      if (frame) tap.made.push({ event: opts.event, frame });
      // Throwing is the one way a transformer can keep a message from being sent (counted transformFailed).
      if (tap.held.has(opts.event)) throw new Error(`the test holds '${opts.event}' back`);
      return frame;
    };
  }
}

/** One long-lived server key pair, as an app that lets clients pin its key would load it at start-up. */
const serverIdentity = await generateEcdhKeyPair();

/** The shipped handshake with the long-lived server key pair instead of a fresh one per connection. */
class LongLivedKeyHandshakeProvider extends EcdhHandshakeProvider {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) keys: ClientKeyStore) {
    super(keys);
  }

  protected override async agree(peerPublicKey: string): Promise<IEcdhAgreement | null> {
    const salt = generateSalt();
    try {
      const key = await deriveAesKey({ privateKey: serverIdentity.keyPair.privateKey, peerPublicKey, salt });
      return { key, serverPublicKey: serverIdentity.publicKey, salt };
    } catch {
      return null;
    }
  }
}

/** Raw frames of the client's sockets, both ways. */
let wire: { in: string[]; out: string[] } = { in: [], out: [] };
class WireTap extends WebSocket {
  constructor(url: string) {
    super(url);
    this.addEventListener('message', event => wire.in.push(String(event.data)));
  }

  override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    wire.out.push(String(data));
    super.send(data);
  }
}

let app: TestApp | undefined;
let client: WebSocketClient<any, any> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await app?.stop();
  app = undefined;
});

const startApp = async (opts: { longLivedKey?: boolean } = {}) => {
  tap = new OutboundTap();
  inbox = new Inbox();
  wire = { in: [], out: [] };
  app = await TestApp.start({
    configure: a => {
      a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true });
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.bind({ key: WebSocketBindingKeys.OUTBOUND_TRANSFORMER }).toProvider(TappedOutboundProvider);
      a.bind({ key: WebSocketBindingKeys.MESSAGE_HANDLER }).toValue(inbox.handler);
      if (opts.longLivedKey) a.bind({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER }).toProvider(LongLivedKeyHandshakeProvider);
      a.component(WebSocketComponent);
    },
  });
  return app;
};

const newClient = (a: TestApp, extra: Partial<IWebSocketClientOptions> = {}) =>
  new WebSocketClient({
    url: a.wsUrl(),
    auth: () => ({ token: 'ada' }),
    encryption: true,
    WebSocketImpl: WireTap,
    reconnect: { initialDelayMs: 0, maxDelayMs: 0 },
    ...extra,
  });

const start = async () => {
  const started = await startApp();
  client = newClient(started);
  const errors: IWebSocketClientErrorEvent[] = [];
  client.on('error', error => void errors.push(error));
  const { id } = await client.connect();
  const helper = getWebSocketHelper(started);
  /** Writes a frame to the client's socket as it is, past the transformer: what someone on the path could do. */
  const inject = (frame: unknown) => helper.getClients({ id })!.socket.send(JSON.stringify(frame));
  return { id, helper, errors, inject, client };
};

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const parse = (raw: string) => JSON.parse(raw) as { event: string; data: { seq?: number } };
/** Frames after `from` that carry something (authenticate, connected and heartbeats aside). */
const carried = (raw: string[], from = 0) =>
  raw.slice(from).map(parse).filter(frame => !['authenticate', 'connected', 'heartbeat'].includes(frame.event));

describe('WebSocketClient in an encrypted session, against the shipped providers', () => {
  test('both directions travel encrypted, numbered 1, 2, 3... and arrive in order, whatever path the server sends by', async () => {
    const { id, helper } = await start();
    const got: number[] = [];
    client!.on('n', (n: number) => void got.push(n));
    const last = nextEvent(client!, 'n', { where: n => n === 29 });
    for (const n of range(30)) {
      if (n % 3 === 0) helper.sendToClient({ clientId: id, event: 'n', data: n });
      else if (n % 3 === 1) helper.sendToRoom({ room: 'ws-default', event: 'n', data: n });
      else helper.broadcast({ event: 'n', data: n });
    }
    await last;
    expect(got).toEqual(range(30));

    for (const n of range(20)) client!.send('up', n);
    expect((await inbox.until(20)).map(message => [message.event, message.data])).toEqual(range(20).map(n => ['up', n]));

    const fromServer = carried(wire.in);
    expect(fromServer.map(frame => frame.event)).toEqual(range(30).map(() => 'encrypted'));
    expect(fromServer.map(frame => frame.data.seq)).toEqual(range(30, 1));
    const fromClient = carried(wire.out);
    expect(fromClient.map(frame => frame.event)).toEqual(range(20).map(() => 'encrypted'));
    expect(fromClient.map(frame => frame.data.seq)).toEqual(range(20, 1));
    expect(wire.out.some(raw => raw.includes('"up"'))).toBe(false);
  });

  test('a reconnect is a new key with counters from 1 in both directions; traffic flows again', async () => {
    const { id, helper } = await start();
    const before = nextEvent(client!, 'n');
    helper.sendToClient({ clientId: id, event: 'n', data: 1 });
    client!.send('up', 1);
    await before;
    await inbox.until(1);

    const reconnected = nextEvent(client!, 'reconnected');
    helper.getClients({ id })!.socket.close(1001, 'test restarts the connection');
    const { id: newId } = await reconnected;
    expect(newId).not.toBe(id);
    const [inFrom, outFrom] = [wire.in.length, wire.out.length];

    const after = nextEvent(client!, 'n', { where: n => n === 3 });
    for (const n of [2, 3]) helper.sendToClient({ clientId: newId, event: 'n', data: n });
    for (const n of [2, 3]) client!.send('up', n);
    expect(await after).toBe(3);
    expect((await inbox.until(3)).map(message => message.data)).toEqual([1, 2, 3]);
    // No room was joined, so the re-join sends nothing: the frames after the reconnect are ours.
    expect(carried(wire.in, inFrom).map(frame => frame.data.seq)).toEqual([1, 2]);
    expect(carried(wire.out, outFrom).map(frame => frame.data.seq)).toEqual([1, 2]);
  });

  test('a plaintext frame written after the handshake never reaches a handler: dropped, reported PLAINTEXT_REFUSED', async () => {
    const { id, helper, errors, inject } = await start();
    const forged: unknown[] = [];
    client!.on('secret', data => void forged.push(data));
    const after = nextEvent(client!, 'after');

    inject({ event: 'secret', data: 'written by someone on the path' });
    inject({ event: 'error', data: { code: 'AUTH_FAILED', message: 'log in again at evil.example' } });
    helper.sendToClient({ clientId: id, event: 'after', data: 'ok' });

    expect(await after).toBe('ok');
    expect(forged).toEqual([]);
    expect(errors.map(error => [error.source, error.code])).toEqual([
      ['client', WebSocketClientErrorCodes.PLAINTEXT_REFUSED],
      ['client', WebSocketClientErrorCodes.PLAINTEXT_REFUSED],
    ]);
    expect(client!.state).toBe(WebSocketClientConnectionStates.OPEN);
  });

  test('the same encrypted frame delivered twice reaches the handler once: the replay is REPLAYED_FRAME, with a raised counter DECRYPT_FAILED', async () => {
    const { id, helper, errors, inject } = await start();
    const seen: unknown[] = [];
    client!.on('once', data => void seen.push(data));
    const first = nextEvent(client!, 'once');
    helper.sendToClient({ clientId: id, event: 'once', data: 'pay 100' });
    await first;

    const after = nextEvent(client!, 'after');
    const frame = tap.frameOf('once') as { event: string; data: { seq: number } };
    inject(frame);
    // Raising the counter does not help: it is authenticated with the ciphertext.
    inject({ ...frame, data: { ...frame.data, seq: frame.data.seq + 1000 } });
    helper.sendToClient({ clientId: id, event: 'after', data: 'ok' });

    expect(await after).toBe('ok');
    expect(seen).toEqual(['pay 100']);
    expect(errors.map(error => error.code)).toEqual([WebSocketClientErrorCodes.REPLAYED_FRAME, WebSocketClientErrorCodes.DECRYPT_FAILED]);
  });

  test('a reordered pair: the frame that arrives after a later one is refused; the rest still flows in order', async () => {
    const { id, helper, errors, inject } = await start();
    const seen: string[] = [];
    for (const event of ['first', 'second', 'after']) client!.on(event, () => void seen.push(event));
    tap.held.add('first');
    const second = nextEvent(client!, 'second');
    helper.sendToClient({ clientId: id, event: 'first', data: 1 }); // sealed, held back
    helper.sendToClient({ clientId: id, event: 'second', data: 2 }); // sealed after it, sent
    await second;

    const after = nextEvent(client!, 'after');
    inject(tap.frameOf('first')); // now the older frame arrives after the newer one
    helper.sendToClient({ clientId: id, event: 'after', data: 3 });

    await after;
    expect(seen).toEqual(['second', 'after']);
    expect(errors.map(error => error.code)).toEqual([WebSocketClientErrorCodes.REPLAYED_FRAME]);
    const seqs = carried(wire.in).map(frame => frame.data.seq);
    expect(seqs).toEqual([2, 1, 3]);
  });

  test("the client's own frame sent back to it is refused: the direction is authenticated, not just the counter", async () => {
    const { id, helper, errors, inject } = await start();
    const echoed: unknown[] = [];
    client!.on('up', data => void echoed.push(data));
    client!.send('up', 'mine');
    await inbox.until(1);
    const mine = carried(wire.out).at(-1)!;

    const after = nextEvent(client!, 'after');
    inject(mine); // counter 1 in the other direction: above anything the client accepted so far
    helper.sendToClient({ clientId: id, event: 'after', data: 'ok' });

    expect(await after).toBe('ok');
    expect(echoed).toEqual([]);
    expect(errors.map(error => error.code)).toEqual([WebSocketClientErrorCodes.DECRYPT_FAILED]);
  });

  test('verifyServerKey pins the server key: the pinned key is used, any other ends the attempt with SERVER_KEY_REJECTED / 4004', async () => {
    const a = await startApp({ longLivedKey: true });
    const checked: IWebSocketServerKeyInfo[] = [];
    client = newClient(a, {
      verifyServerKey: info => (checked.push(info), info.serverPublicKey === serverIdentity.publicKey),
    });
    const { id } = await client.connect();
    expect(checked).toHaveLength(1);
    expect(typeof checked[0]!.clientPublicKey).toBe('string');
    const echoed = nextEvent(client, 'n');
    getWebSocketHelper(a).sendToClient({ clientId: id, event: 'n', data: 1 });
    expect(await echoed).toBe(1);
    client.close();

    const someoneElse = await generateEcdhKeyPair();
    let attempts = 0;
    client = newClient(a, { verifyServerKey: ({ serverPublicKey }) => (attempts++, serverPublicKey === someoneElse.publicKey) });
    const disconnected = nextEvent(client, 'disconnected');
    const failure = (await client.connect().catch((error: unknown) => error)) as WebSocketClientError;
    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.code).toBe(WebSocketClientErrorCodes.SERVER_KEY_REJECTED);
    expect(failure.closeCode).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
    expect((await disconnected).willReconnect).toBe(false);
    expect(attempts).toBe(1);
  });

  test('verifyServerKey without encryption is refused at construction', () => {
    expect(() => new WebSocketClient({ url: 'ws://127.0.0.1:1/ws', auth: () => ({}), verifyServerKey: () => true })).toThrow(
      'set encryption: true',
    );
  });
});
