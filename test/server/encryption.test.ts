import { afterEach, describe, expect, test } from 'bun:test';
import {
  WebSocketCloseCodes,
  WebSocketErrorCodes,
  decryptText,
  deriveAesKey,
  encryptText,
  generateEcdhKeyPair,
  generateSalt,
  type AnyObject,
  type IWebSocketServerOptions,
} from '../../src';
import { captureLogs } from '../support/log-capture';
import { RawWsClient } from '../support/raw-ws';
import { startNode, type ITestNode } from '../support/server';
import { TestClient, type IFrame } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

/** A handshake + transformer pair built on the package's crypto module, as an app would write it; `keys` is the test's view of the key map (not an option). */
const encryptionOptions = async (): Promise<{ keys: Map<string, CryptoKey>; options: Partial<IWebSocketServerOptions> }> => {
  const server = await generateEcdhKeyPair();
  const keys = new Map<string, CryptoKey>();
  const options: Partial<IWebSocketServerOptions> = {
    requireEncryption: true,
    handshakeFn: async ({ clientId, data }) => {
      if (typeof data.publicKey !== 'string') return null;
      const salt = generateSalt();
      keys.set(clientId, await deriveAesKey({ privateKey: server.keyPair.privateKey, peerPublicKey: data.publicKey, salt }));
      return { serverPublicKey: server.publicKey, salt };
    },
    outboundTransformer: async ({ client, event, data, id }) => {
      const key = keys.get(client.id);
      if (!client.encrypted || !key) return null;
      return { event: 'encrypted', data: await encryptText(key, JSON.stringify({ event, data, id })) };
    },
    clientRemovedFn: ({ clientId }) => void keys.delete(clientId),
  };
  return { keys, options };
};

/** Test-side client of the handshake: sends its public key, derives the key from `connected`. */
const connectEncrypted = async (url: string) => {
  const mine = await generateEcdhKeyPair();
  const client = await TestClient.open(url);
  client.send({ event: 'authenticate', data: { token: 'ok', publicKey: mine.publicKey } });
  const connected = await client.next('connected');
  const key = await deriveAesKey({
    privateKey: mine.keyPair.privateKey,
    peerPublicKey: connected.data.serverPublicKey,
    salt: connected.data.salt,
  });
  const decrypt = async (frame: IFrame): Promise<IFrame> => JSON.parse(await decryptText(key, frame.data));
  return { client, connected, decrypt };
};

describe('encryption (ECDH P-256 + HKDF-SHA-256 + AES-256-GCM)', () => {
  test('requireEncryption: connected travels in the clear, everything after it is encrypted and decrypts', async () => {
    const enc = await encryptionOptions();
    node = await startNode(enc.options as Partial<IWebSocketServerOptions<AnyObject, AnyObject>>);
    const { client, connected, decrypt } = await connectEncrypted(node.url);
    expect(typeof connected.data.serverPublicKey).toBe('string');
    expect(typeof connected.data.salt).toBe('string');
    const tracked = node.helper.getClients({ id: connected.data.id })!;
    expect(tracked.encrypted).toBe(true);
    expect(tracked.socket.isSubscribed('ws-default')).toBe(false);
    expect(tracked.socket.isSubscribed('ws:internal:broadcast')).toBe(false);
    expect(tracked.socket.isSubscribed(tracked.id)).toBe(false);

    node.helper.sendToClient({ clientId: tracked.id, event: 'direct', data: { n: 1 } });
    node.helper.sendToRoom({ room: 'ws-default', event: 'room', data: { n: 2 } });
    node.helper.broadcast({ event: 'all', data: { n: 3 } });
    client.send({ event: 'join', data: { rooms: ['secret-room'] }, id: 'join-1' });
    const frames: IFrame[] = [];
    for (let i = 0; i < 4; i++) frames.push(await client.next('encrypted'));
    const plain = await Promise.all(frames.map(decrypt));
    expect(plain.map(p => p.event)).toEqual(['direct', 'room', 'all', 'joined']);
    expect(plain.map(p => p.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { rooms: ['secret-room'], refused: [] }]);
    expect(plain[3]!.id).toBe('join-1');
    expect(client.frames.filter(f => !['connected', 'encrypted'].includes(f.event))).toEqual([]);
    await client.close();
    await node.untilEmpty();
    expect(enc.keys.size).toBe(0);
  });

  test('manual encryption: plain and encrypted members of one room each get their form', async () => {
    const enc = await encryptionOptions();
    const serverKeys = await generateEcdhKeyPair();
    node = await startNode({
      ...enc.options,
      requireEncryption: false,
      // The contract's manual flow: key exchange in messageHandler, then enableClientEncryption.
      messageHandler: async ({ clientId, message }) => {
        if (message.event !== 'handshake') return;
        const salt = generateSalt();
        const peerPublicKey = (message.data as { publicKey: string }).publicKey;
        enc.keys.set(clientId, await deriveAesKey({ privateKey: serverKeys.keyPair.privateKey, peerPublicKey, salt }));
        node!.helper.sendToClient({ clientId, event: 'handshake-complete', data: { publicKey: serverKeys.publicKey, salt } });
        node!.helper.enableClientEncryption({ clientId });
      },
    } as Partial<IWebSocketServerOptions<AnyObject, AnyObject>>);
    const plain = await TestClient.connect(node.url);
    const secret = await TestClient.connect(node.url);
    const mine = await generateEcdhKeyPair();
    secret.send({ event: 'handshake', data: { publicKey: mine.publicKey } });
    const done = await secret.next('handshake-complete');
    const key = await deriveAesKey({ privateKey: mine.keyPair.privateKey, peerPublicKey: done.data.publicKey, salt: done.data.salt });
    expect(node.helper.getClients({ id: secret.id })!.encrypted).toBe(true);
    const publishedBefore = node.helper.getStats().published;
    node.helper.sendToRoom({ room: 'ws-default', event: 'mixed', data: 'hello' });
    expect(node.helper.getStats().published).toBe(publishedBefore + 1);
    expect((await plain.next('mixed')).data).toBe('hello');
    const frame = await secret.next('encrypted');
    expect(JSON.parse(await decryptText(key, frame.data))).toEqual({ event: 'mixed', data: 'hello' });
    expect(secret.all('mixed')).toHaveLength(0);
    await plain.close();
    await secret.close();
  });

  test('messages to one encrypted client keep their order', async () => {
    const enc = await encryptionOptions();
    node = await startNode(enc.options as Partial<IWebSocketServerOptions<AnyObject, AnyObject>>);
    const { client, connected, decrypt } = await connectEncrypted(node.url);
    for (let i = 0; i < 50; i++) node.helper.sendToRoom({ room: 'ws-default', event: 'seq', data: i });
    node.helper.sendToClient({ clientId: connected.data.id, event: 'end', data: null });
    const seen: number[] = [];
    for (;;) {
      const frame = await decrypt(await client.next('encrypted'));
      if (frame.event === 'end') break;
      seen.push(frame.data);
    }
    expect(seen).toEqual([...Array(50).keys()]);
    await client.close();
  });

  test('no public key: handshake refuses -> error + 4004', async () => {
    node = await startNode((await encryptionOptions()).options as Partial<IWebSocketServerOptions<AnyObject, AnyObject>>);
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.ENCRYPTION_REQUIRED);
    expect((await client.closed).code).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
  });

  test('requireEncryption without handshakeFn closes every client with 4004', async () => {
    node = await startNode({ requireEncryption: true });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.closed).code).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
    expect(node.helper.getClients().size).toBe(0);
  });

  test('a fan-out runs at most encryptedBatchLimit transformer calls at once, and every member gets its message', async () => {
    let inFlight = 0;
    let peak = 0;
    node = await startNode({
      encryptedBatchLimit: 3,
      outboundTransformer: async ({ event, data }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await Bun.sleep(2);
        inFlight--;
        return { event: 'wrapped', data: { event, data } };
      },
    });
    const clients = await Promise.all(Array.from({ length: 12 }, () => TestClient.connect(node!.url)));
    for (const c of clients) node.helper.enableClientEncryption({ clientId: c.id });
    node.helper.sendToRoom({ room: 'ws-default', event: 'fan', data: 7 });
    for (const c of clients) expect((await c.next('wrapped')).data).toEqual({ event: 'fan', data: 7 });
    expect(peak).toBe(3);
    for (const c of clients) await c.close();
  });

  test('shutdown delivers encrypted sends already accepted before closing with 1001', async () => {
    node = await startNode({
      outboundTransformer: async ({ event, data }) => {
        await Bun.sleep(5);
        return { event: 'wrapped', data: { event, data } };
      },
    });
    const client = await TestClient.connect(node.url);
    node.helper.enableClientEncryption({ clientId: client.id });
    for (let i = 0; i < 5; i++) node.helper.sendToClient({ clientId: client.id, event: 'last-words', data: i });
    await node.helper.shutdown();
    expect((await client.closed).code).toBe(1001);
    expect(client.all('wrapped').map(f => f.data.data)).toEqual([0, 1, 2, 3, 4]);
  });

  test('a throwing transformer drops only that message, counted and logged; never sent in the clear', async () => {
    node = await startNode({
      outboundTransformer: ({ event, data }) => {
        if (event === 'secret') throw new Error('kms down');
        return { event: 'wrapped', data: { event, data } };
      },
    });
    const client = await TestClient.connect(node.url);
    node.helper.enableClientEncryption({ clientId: client.id });
    const before = node.helper.getStats().transformFailed;
    const logs = captureLogs();
    try {
      node.helper.sendToClient({ clientId: client.id, event: 'secret', data: 1 });
      node.helper.sendToClient({ clientId: client.id, event: 'after', data: 2 });
      // Messages to one encrypted client keep their order: had 'secret' gone out, it would be here by now.
      expect((await client.next('wrapped')).data).toEqual({ event: 'after', data: 2 });
    } finally {
      logs.stop();
    }
    expect(node.helper.getStats().transformFailed).toBe(before + 1);
    expect(client.frames.map(f => f.event)).toEqual(['connected', 'wrapped']);
    expect(logs.at('error').filter(e => e.message.includes('[transform-failed]'))).toHaveLength(1);
    expect(client.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  test('an encrypted client that stops reading is closed with 4006 once maxQueuedEncrypted messages wait; the rest is dropped and counted, never transformed', async () => {
    const enc = await encryptionOptions();
    const transformedFor: string[] = [];
    node = await startNode({
      ...enc.options,
      maxQueuedEncrypted: 20,
      outboundTransformer: async opts => {
        transformedFor.push(opts.client.id);
        return enc.options.outboundTransformer!(opts);
      },
    } as Partial<IWebSocketServerOptions<AnyObject, AnyObject>>);
    const mine = await generateEcdhKeyPair();
    const stalled = await RawWsClient.open(node.port);
    const admitted = stalled.waitFor('"connected"');
    stalled.sendJson({ event: 'authenticate', data: { token: 'ok', publicKey: mine.publicKey } });
    const stalledId: string = JSON.parse(await admitted).data.id;
    stalled.pause();
    const steady = await connectEncrypted(node.url);
    const before = { ...node.helper.getStats() };

    // The app sends faster than the transformer runs: the queue of the client that is not reading grows.
    for (let i = 0; i < 21; i++) node.helper.sendToClient({ clientId: stalledId, event: 'tick', data: i });
    expect(node.helper.getClients({ id: stalledId })).toBeUndefined();
    const stats = node.helper.getStats();
    expect(stats.slowConsumerClosed - before.slowConsumerClosed).toBe(1);
    stalled.resume();
    expect(await stalled.closed).toBe(WebSocketCloseCodes.SLOW_CONSUMER);
    await (node.helper as any).delivery.settle();
    expect(node.helper.getStats().dropped - before.dropped).toBe(21); // the one refused + the 20 that were queued
    expect(transformedFor.filter(id => id === stalledId)).toEqual([]);

    // Another encrypted client is not affected.
    node.helper.sendToRoom({ room: 'ws-default', event: 'still', data: 'here' });
    expect(await steady.decrypt(await steady.client.next('encrypted'))).toEqual({ event: 'still', data: 'here' });
    await steady.client.close();
  });
});
