import { afterEach, describe, expect, test } from 'bun:test';
import {
  AesGcmSession,
  WebSocketCloseCodes,
  WebSocketErrorCodes,
  WebSocketEventError,
  deriveAesKey,
  generateEcdhKeyPair,
  generateSalt,
  type IWebSocketServerOptions,
} from '../../src';
import { WebSocketClient, WebSocketClientConnectionStates, WebSocketClientError, WebSocketClientErrorCodes } from '../../src/client';
import { startNode, type ITestNode } from '../support/server';
import { nextEvent, recordingWebSocket, sleep } from '../support/client-events';

let node: ITestNode | undefined;
let client: WebSocketClient<any, any> | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

/** Server options for enforced ECDH + AES-GCM, built only from src/protocol/crypto.ts. */
const encryptedServerOptions = async (): Promise<Partial<IWebSocketServerOptions>> => {
  const serverKeys = await generateEcdhKeyPair();
  const sessions = new Map<string, AesGcmSession>();
  return {
    requireEncryption: true,
    handshakeFn: async ({ clientId, data }) => {
      if (typeof data.publicKey !== 'string') return null;
      const salt = generateSalt();
      const key = await deriveAesKey({ privateKey: serverKeys.keyPair.privateKey, peerPublicKey: data.publicKey, salt });
      sessions.set(clientId, new AesGcmSession(key, 'server'));
      return { serverPublicKey: serverKeys.publicKey, salt };
    },
    outboundTransformer: async ({ client: target, event, data, id }) => {
      const session = sessions.get(target.id);
      if (!target.encrypted || !session) return null;
      // Test hook: a frame that looks encrypted but was not made with this client's key.
      if (event === 'corrupt') return { event: 'encrypted', data: { iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AAAAAAAAAAAAAAAAAAAAAAAA' } };
      const plaintext = JSON.stringify(id === undefined ? { event, data } : { event, data, id });
      return { event: 'encrypted', data: await session.seal(plaintext) };
    },
    // The client library encrypts what it sends too (join requests here).
    inboundTransformer: async ({ client: from, event, data }) => {
      const session = sessions.get(from.id);
      if (!session) return null;
      const opened = event === 'encrypted' ? await session.open(data) : null;
      if (!opened?.ok) throw new WebSocketEventError(WebSocketErrorCodes.DECRYPT_FAILED, 'Not sealed for this session');
      return opened.plaintext;
    },
    clientRemovedFn: ({ clientId }) => void sessions.delete(clientId),
  };
};

describe('WebSocketClient: encryption', () => {
  test('with encryption on, server messages travel encrypted and reach handlers decrypted (acks included)', async () => {
    node = await startNode(await encryptedServerOptions());
    const { frames, RecordingWebSocket } = recordingWebSocket();
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), encryption: true, WebSocketImpl: RecordingWebSocket });

    const { id } = await client.connect();
    expect(node.helper.getClients({ id })?.encrypted).toBe(true);
    // The ack is encrypted too; it still settles join() because the id is inside the ciphertext.
    expect(await client.join(['vault'])).toEqual({ rooms: ['vault'], refused: [] });

    type TSecret = { n: number; text: string };
    const roomMessage = nextEvent<TSecret>(client, 'secret', { where: d => d.n === 1 });
    const directMessage = nextEvent<TSecret>(client, 'secret', { where: d => d.n === 2 });
    node.helper.sendToRoom({ room: 'vault', event: 'secret', data: { n: 1, text: 'launch codes' } });
    node.helper.sendToClient({ clientId: id, event: 'secret', data: { n: 2, text: 'launch codes' } });
    expect(await roomMessage).toEqual({ n: 1, text: 'launch codes' });
    expect(await directMessage).toEqual({ n: 2, text: 'launch codes' });

    const wire = frames.map(frame => JSON.parse(frame) as { event: string; data: any });
    expect(wire[0]!.event).toBe('connected');
    expect(typeof wire[0]!.data.serverPublicKey).toBe('string');
    expect(wire.slice(1).map(frame => frame.event)).toEqual(['encrypted', 'encrypted', 'encrypted']);
    expect(frames.some(frame => frame.includes('launch codes') || frame.includes('vault'))).toBe(false);
  });

  test('a frame that does not decrypt is dropped and reported; the session carries on', async () => {
    node = await startNode(await encryptedServerOptions());
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), encryption: true });
    const { id } = await client.connect();
    const reported = nextEvent(client, 'error');
    const after = nextEvent(client, 'after');

    node.helper.sendToClient({ clientId: id, event: 'corrupt', data: null });
    node.helper.sendToClient({ clientId: id, event: 'after', data: 'ok' });

    expect(await reported).toMatchObject({ source: 'client', code: WebSocketClientErrorCodes.DECRYPT_FAILED });
    expect(await after).toBe('ok');
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
  });

  test('a client without encryption on a server that requires it is refused with 4004 and does not retry', async () => {
    node = await startNode(await encryptedServerOptions());
    let authCalls = 0;
    client = new WebSocketClient({
      url: node.url,
      auth: () => (authCalls++, { token: 'ok' }),
      reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
    });
    const disconnected = nextEvent(client, 'disconnected');

    const failure = (await client.connect().catch(e => e)) as WebSocketClientError;

    expect(failure).toBeInstanceOf(WebSocketClientError);
    expect(failure.closeCode).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
    expect(failure.code).toBe(WebSocketErrorCodes.ENCRYPTION_REQUIRED);
    expect((await disconnected).willReconnect).toBe(false);
    await sleep(100); // many backoff periods: a retry would have called auth again
    expect(authCalls).toBe(1);
  });

  test('encryption on against a server that offers no key fails with 4004 ENCRYPTION_UNAVAILABLE instead of going plaintext', async () => {
    const removed: string[] = [];
    node = await startNode({ clientRemovedFn: ({ clientId }) => void removed.push(clientId) });
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), encryption: true });

    const failure = (await client.connect().catch(e => e)) as WebSocketClientError;

    expect(failure.code).toBe(WebSocketClientErrorCodes.ENCRYPTION_UNAVAILABLE);
    expect(failure.closeCode).toBe(WebSocketCloseCodes.ENCRYPTION_REQUIRED);
    expect(client.state).toBe(WebSocketClientConnectionStates.CLOSED);
    await node.untilEmpty();
    expect(removed).toHaveLength(1); // the client closed its socket
  });
});
