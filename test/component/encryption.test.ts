/**
 * `requireEncryption: true` with the shipped handshake + transformer pair and no app code:
 * ECDH P-256, HKDF-SHA-256 with a random salt, AES-256-GCM with a fresh IV per message, one key
 * per connected client, dropped when the connection ends. The test client decrypts.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { BindingScopes, inject } from '@venizia/ignis';
import {
  ClientKeyStore,
  EcdhHandshakeProvider,
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  WebSocketErrorCodes,
  decryptText,
  deriveAesKey,
  generateEcdhKeyPair,
  getWebSocketHelper,
  type TWebSocketHandshakeFn,
  type TWebSocketOutboundTransformer,
} from '../../src';
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

/** Connects with a fresh ECDH key pair and derives the AES key from the `connected` answer. */
const connectEncrypted = async (a: TestApp, token: string) => {
  const { keyPair, publicKey } = await generateEcdhKeyPair();
  const client = await TestClient.connect(a.wsUrl(), { type: 'Bearer', token, publicKey });
  const connected = client.frames.find(f => f.event === 'connected')!;
  const key = await deriveAesKey({
    privateKey: keyPair.privateKey,
    peerPublicKey: connected.data.serverPublicKey,
    salt: connected.data.salt,
  });
  const open = async (frame: IFrame) => JSON.parse(await decryptText(key, frame.data));
  return { client, connected, open };
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
    const { client, connected, open } = await connectEncrypted(app, 'ada');
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

    client.send({ event: 'join', data: { rooms: ['anything'] }, id: 'req-1' });
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

  test('a handshake that finishes after its client left keeps no key', async () => {
    app = await startEncryptedApp();
    const handshake = app.get<TWebSocketHandshakeFn>({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER });
    const { publicKey } = await generateEcdhKeyPair();
    const clientId = crypto.randomUUID();
    const finishing = handshake({ clientId, userId: 'gone', data: { publicKey } });
    keyStore(app).delete(clientId); // the connection's clean-up runs while the key is being derived
    expect(await finishing).toBeNull();
    expect(keyStore(app).size).toBe(0);
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

  test('an encrypted client without a key never gets plaintext: the transformer refuses', async () => {
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
      },
    });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const helper = getWebSocketHelper(app);
    helper.enableClientEncryption({ clientId: client.id });
    const transform = app.get<TWebSocketOutboundTransformer>({ key: WebSocketBindingKeys.OUTBOUND_TRANSFORMER });
    const tracked = helper.getClients({ id: client.id })!;
    await expect(Promise.resolve(transform({ client: tracked, event: 'secret', data: 1 }))).rejects.toThrow('No key for encrypted client');
    await client.close();
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
