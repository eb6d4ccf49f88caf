/**
 * `requireEncryption: true` with the shipped handshake + transformer pair and no app code:
 * ECDH P-256, HKDF-SHA-256 with a random salt, AES-256-GCM with a fresh IV per message, one key
 * per connected client, dropped when the connection ends. The test client decrypts.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { BindingScopes, inject } from '@venizia/ignis';
import {
  AesGcmSession,
  ClientKeyStore,
  EcdhHandshakeProvider,
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  WebSocketErrorCodes,
  deriveAesKey,
  generateEcdhKeyPair,
  getWebSocketHelper,
  type TWebSocketHandshakeFn,
} from '../../src';
import { Inbox } from '../support/inbox';
import { TestClient, type IFrame } from '../support/ws-client';
import {
  NotificationService,
  RemovalProbeProvider,
  RemovalProbeService,
  StaticTokenAuthProvider,
  serviceKey,
} from './fixtures/providers';
import { TestApp } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const startEncryptedApp = () =>
  TestApp.start({
    configure: a => {
      a.service(NotificationService);
      a.service(RemovalProbeService).setScope(BindingScopes.SINGLETON);
      a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true });
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(RemovalProbeProvider);
      a.component(WebSocketComponent);
    },
  });

/** Connects with a fresh ECDH key pair and derives the AES key (the client's session) from the `connected` answer. */
const connectEncrypted = async (a: TestApp, token: string) => {
  const { keyPair, publicKey } = await generateEcdhKeyPair();
  const client = await TestClient.connect(a.wsUrl(), { type: 'Bearer', token, publicKey });
  const connected = client.frames.find(f => f.event === 'connected')!;
  const key = await deriveAesKey({
    privateKey: keyPair.privateKey,
    peerPublicKey: connected.data.serverPublicKey,
    salt: connected.data.salt,
  });
  const session = new AesGcmSession(key, 'client');
  const open = async (frame: IFrame) => {
    const opened = await session.open(frame.data);
    if (!opened.ok) throw new Error(`frame did not open: ${opened.reason}`);
    return JSON.parse(opened.plaintext);
  };
  /** Sends `{ event, data, id? }` sealed under the client's next counter; returns the frame sent. */
  const sendSealed = async (message: IFrame) => {
    const frame = { event: 'encrypted', data: await session.seal(JSON.stringify(message)) };
    client.send(frame);
    return frame;
  };
  return { client, connected, open, session, sendSealed };
};

const keyStore = (a: TestApp) => a.get<ClientKeyStore>({ key: WebSocketBindingKeys.ENCRYPTION_KEYS });

/** Lets a test stop the shipped handshake after its reservation, before its key agreement. */
class HandshakeGate {
  private open!: () => void;
  private readonly opened = new Promise<void>(resolve => (this.open = resolve));
  private onStarted!: (started: { clientId: string; result: Promise<unknown> }) => void;
  /** Resolves when a handshake has reserved its client id and waits at the gate. */
  readonly started = new Promise<{ clientId: string; result: Promise<unknown> }>(resolve => (this.onStarted = resolve));

  enter(clientId: string, result: Promise<unknown>): void {
    this.onStarted({ clientId, result });
  }

  pass(): Promise<void> {
    return this.opened;
  }

  release(): void {
    this.open();
  }
}

let gate = new HandshakeGate();

/** The shipped ECDH handshake, held at `gate` between reserving the client id and deriving its key. */
class GatedEcdhHandshakeProvider extends EcdhHandshakeProvider {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) keys: ClientKeyStore) {
    super(keys);
  }

  override value(): TWebSocketHandshakeFn {
    const shipped = super.value();
    return opts => {
      const result = Promise.resolve(shipped(opts));
      gate.enter(opts.clientId, result);
      return result;
    };
  }

  protected override async agree(peerPublicKey: string) {
    await gate.pass();
    return super.agree(peerPublicKey);
  }
}

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);

describe('ClientKeyStore', () => {
  test('a committed reservation keeps its key until the connection ends', async () => {
    const keys = new ClientKeyStore();
    const reservation = keys.reserve('c1');
    expect(keys.pending).toBe(1);
    expect(keys.commit(reservation, await aesKey())).toBe(true);
    expect([keys.size, keys.pending, keys.has('c1')]).toEqual([1, 0, true]);
    keys.delete('c1');
    expect([keys.size, keys.pending]).toEqual([0, 0]);
  });

  test('a reservation dropped before its commit keeps nothing; release closes one without a key', async () => {
    const keys = new ClientKeyStore();
    const dropped = keys.reserve('c1');
    keys.delete('c1');
    expect(keys.commit(dropped, await aesKey())).toBe(false);
    const failed = keys.reserve('c2');
    keys.release(failed);
    expect(keys.commit(failed, await aesKey())).toBe(false);
    expect([keys.size, keys.pending]).toEqual([0, 0]);
  });
});

describe('requireEncryption with the shipped encryption pair', () => {
  test('room messages, broadcasts and replies arrive encrypted and decrypt to { event, data, id? }', async () => {
    app = await startEncryptedApp();
    const { client, connected, open, sendSealed } = await connectEncrypted(app, 'ada');
    expect(typeof connected.data.serverPublicKey).toBe('string');
    expect(typeof connected.data.salt).toBe('string');
    expect(getWebSocketHelper(app).getClients({ id: client.id })!.encrypted).toBe(true);

    const notifications = app.get<NotificationService>({ key: serviceKey(NotificationService.name) });
    notifications.notifyRoom('ws-notification', 'first');
    notifications.broadcast('second');
    const first = await client.next('encrypted');
    const second = await client.next('encrypted');
    expect(await open(first)).toEqual({ event: 'notification', data: { text: 'first' } });
    expect(await open(second)).toEqual({ event: 'announcement', data: { text: 'second' } });
    expect(first.data.iv).not.toBe(second.data.iv);
    expect(client.all('notification')).toHaveLength(0);
    expect(client.all('announcement')).toHaveLength(0);

    await sendSealed({ event: 'join', data: { rooms: ['anything'] }, id: 'req-1' });
    expect(await open(await client.next('encrypted'))).toEqual({
      event: 'joined',
      data: { rooms: [], refused: ['anything'] },
      id: 'req-1',
    });
    await client.close();
  });

  test('each connection gets its own server key and salt; its key lives exactly as long as the connection', async () => {
    app = await startEncryptedApp();
    const probe = app.get<RemovalProbeService>({ key: serviceKey(RemovalProbeService.name) });
    const keys = keyStore(app);
    const ada = await connectEncrypted(app, 'ada');
    const bob = await connectEncrypted(app, 'bob');
    expect(ada.connected.data.serverPublicKey).not.toBe(bob.connected.data.serverPublicKey);
    expect(ada.connected.data.salt).not.toBe(bob.connected.data.salt);
    expect(keys.size).toBe(2);

    const adaId = ada.client.id;
    await ada.client.close();
    await probe.untilRemoved(adaId);
    expect(keys.has(adaId)).toBe(false);
    expect(keys.has(bob.client.id)).toBe(true);

    getWebSocketHelper(app).sendToClient({ clientId: bob.client.id, event: 'still', data: 'here' });
    expect(await bob.open(await bob.client.next('encrypted'))).toEqual({ event: 'still', data: 'here' });
    await bob.client.close();
  });

  test('no or a malformed public key: ENCRYPTION_REQUIRED, close 4004, no key kept', async () => {
    app = await startEncryptedApp();
    for (const publicKey of [undefined, 'bm90IGEga2V5', 'x'.repeat(10_000)]) {
      const client = await TestClient.open(app.wsUrl());
      client.send({ event: 'authenticate', data: { type: 'Bearer', token: 'ada', publicKey } });
      expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.ENCRYPTION_REQUIRED);
      expect((await client.closed).code).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
    }
    expect(keyStore(app).size).toBe(0);
  });

  test('a handshake that finishes after the server ended its connection keeps no key', async () => {
    gate = new HandshakeGate();
    app = await TestApp.start({
      configure: a => {
        a.service(RemovalProbeService).setScope(BindingScopes.SINGLETON);
        // authTimeout * 3 (150 ms) runs out while the handshake is held at the gate: the server closes with 4001.
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true, authTimeout: 50 });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER }).toProvider(GatedEcdhHandshakeProvider);
        a.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(RemovalProbeProvider);
        a.component(WebSocketComponent);
      },
    });
    const probe = app.get<RemovalProbeService>({ key: serviceKey(RemovalProbeService.name) });
    const keys = keyStore(app);
    const { publicKey } = await generateEcdhKeyPair();
    const client = await TestClient.open(app.wsUrl());
    client.send({ event: 'authenticate', data: { type: 'Bearer', token: 'ada', publicKey } });

    const { clientId, result } = await gate.started;
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    await probe.untilRemoved(clientId);

    gate.release();
    expect(await result).toBeNull();
    expect(client.all('connected')).toHaveLength(0);
    expect([keys.size, keys.pending]).toEqual([0, 0]);
  });

  test('a client that closes during the handshake leaves the key store empty', async () => {
    gate = new HandshakeGate();
    app = await TestApp.start({
      configure: a => {
        a.service(RemovalProbeService).setScope(BindingScopes.SINGLETON);
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER }).toProvider(GatedEcdhHandshakeProvider);
        a.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(RemovalProbeProvider);
        a.component(WebSocketComponent);
      },
    });
    const probe = app.get<RemovalProbeService>({ key: serviceKey(RemovalProbeService.name) });
    const keys = keyStore(app);
    const { publicKey } = await generateEcdhKeyPair();
    const client = await TestClient.open(app.wsUrl());
    client.send({ event: 'authenticate', data: { type: 'Bearer', token: 'ada', publicKey } });

    const { clientId, result } = await gate.started;
    expect(keys.pending).toBe(1);
    await client.close();
    await probe.untilRemoved(clientId);
    expect(keys.pending).toBe(0);

    gate.release();
    expect(await result).toBeNull();
    expect(keys.size).toBe(0);
    expect(keys.pending).toBe(0);
  });

  test('an encrypted client without a key never gets plaintext: its messages are not sent, only counted', async () => {
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
      },
    });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const helper = getWebSocketHelper(app);
    helper.enableClientEncryption({ clientId: client.id }); // encrypted, but no handshake ran: no key
    const failedBefore = helper.getStats().transformFailed;
    helper.sendToClient({ clientId: client.id, event: 'secret', data: 1 });
    helper.sendToRoom({ room: 'ws-default', event: 'secret-room', data: 2 });
    // Stopping sends what was already accepted, then closes with 1001: all the client would get is here.
    await app.stop();
    app = undefined;
    expect((await client.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect(client.frames.map(f => f.event)).toEqual(['connected']);
    expect(helper.getStats().transformFailed - failedBefore).toBe(2);
  });

  test('stopping the app drops every key', async () => {
    app = await startEncryptedApp();
    const keys = keyStore(app);
    const { client } = await connectEncrypted(app, 'ada');
    expect(keys.size).toBe(1);
    await app.stop();
    app = undefined;
    expect((await client.closed).code).toBe(WebSocketCloseCodes.GOING_AWAY);
    expect(keys.size).toBe(0);
  });
});

describe('client → server frames with the shipped providers', () => {
  let inbox = new Inbox();
  const startWithInbox = async () => {
    inbox = new Inbox();
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.MESSAGE_HANDLER }).toValue(inbox.handler);
        a.component(WebSocketComponent);
      },
    });
    return connectEncrypted(app, 'ada');
  };

  test('sealed frames are opened in order and routed as the events they carry; the handler never sees `encrypted`', async () => {
    const { client, sendSealed, open } = await startWithInbox();
    for (let n = 0; n < 10; n++) await sendSealed({ event: 'up', data: n });
    expect((await inbox.until(10)).map(message => [message.event, message.data])).toEqual(
      Array.from({ length: 10 }, (_, n) => ['up', n]),
    );
    // Requests inside work too: the answer carries the id of the sealed request.
    await sendSealed({ event: 'join', data: { rooms: ['x'] }, id: 'j1' });
    expect(await open(await client.next('encrypted'))).toMatchObject({ event: 'joined', id: 'j1' });
    await client.close();
  });

  test('a plaintext event from an encrypted client never reaches the handler: PLAINTEXT_REFUSED', async () => {
    const { client, sendSealed, open } = await startWithInbox();
    client.send({ event: 'up', data: 'in the clear', id: 'p1' });
    await sendSealed({ event: 'up', data: 'sealed' });
    expect((await inbox.until(1)).map(message => message.data)).toEqual(['sealed']);
    expect(await open(await client.next('encrypted'))).toMatchObject({
      event: 'error',
      data: { code: WebSocketErrorCodes.PLAINTEXT_REFUSED, id: 'p1' },
    });
    expect(inbox.messages).toHaveLength(1);
    await client.close();
  });

  test('the same sealed frame sent twice is routed once; the copy is refused with REPLAYED_FRAME', async () => {
    const { client, sendSealed, open } = await startWithInbox();
    const frame = await sendSealed({ event: 'up', data: 'pay 100' });
    client.send(frame);
    await sendSealed({ event: 'up', data: 'after' });
    expect((await inbox.until(2)).map(message => message.data)).toEqual(['pay 100', 'after']);
    expect(await open(await client.next('encrypted'))).toMatchObject({ event: 'error', data: { code: WebSocketErrorCodes.REPLAYED_FRAME } });
    expect(inbox.messages).toHaveLength(2);
    await client.close();
  });

  test('a reordered pair: the older frame arriving after the newer one is refused with REPLAYED_FRAME', async () => {
    const { client, session, sendSealed, open } = await startWithInbox();
    const older = { event: 'encrypted', data: await session.seal(JSON.stringify({ event: 'up', data: 'older' })) };
    const newer = { event: 'encrypted', data: await session.seal(JSON.stringify({ event: 'up', data: 'newer' })) };
    client.send(newer);
    client.send(older);
    await sendSealed({ event: 'up', data: 'after' });
    expect((await inbox.until(2)).map(message => message.data)).toEqual(['newer', 'after']);
    expect(await open(await client.next('encrypted'))).toMatchObject({ event: 'error', data: { code: WebSocketErrorCodes.REPLAYED_FRAME } });
    expect(inbox.messages).toHaveLength(2);
    await client.close();
  });
});
