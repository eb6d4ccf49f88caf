import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketClientStates, WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('post-connection authentication', () => {
  test('a client is unauthorized until it authenticates, then receives connected { id, userId, time }', async () => {
    node = await startNode();
    const client = await TestClient.open(node.url);
    // The open callback has run once the server answers anything; ask it something.
    client.send({ event: 'join', data: { rooms: ['a'] } });
    const refused = await client.next('error');
    expect(refused.data.code).toBe(WebSocketErrorCodes.NOT_AUTHENTICATED);
    const [tracked] = [...node.helper.getClients().values()];
    expect(tracked!.state).toBe(WebSocketClientStates.UNAUTHORIZED);

    client.send({ event: 'authenticate', data: { token: 'ok' } });
    const connected = await client.next('connected');
    expect(connected.data.id).toBe(tracked!.id);
    expect(connected.data.userId).toBe('user-1');
    expect(Number.isNaN(Date.parse(connected.data.time))).toBe(false);
    expect(connected.data.serverPublicKey).toBeUndefined();
    expect(tracked!.state).toBe(WebSocketClientStates.AUTHENTICATED);
    await client.close();
  });

  test('rejected credentials get an error event, then close 4003', async () => {
    node = await startNode();
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'bad' } });
    const error = await client.next('error');
    expect(error.data.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    expect(node.helper.getClients().size).toBe(0);
  });

  test('an authenticateFn that throws is a rejection (4003), not a crash', async () => {
    node = await startNode({
      authenticateFn: () => {
        throw new Error('token service down');
      },
    });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    const other = await TestClient.open(node.url);
    expect(other.readyState).toBe(WebSocket.OPEN);
    await other.close();
  });

  test('a userId that is not a non-empty string or a finite number is a rejection (4003); a number becomes its string', async () => {
    // Runtime values an app's authenticateFn may hand back from an untyped source (a JWT claim, a DB row).
    const returned: unknown[] = [{ id: 1 }, false, '', Number.NaN, 42];
    node = await startNode({ authenticateFn: () => ({ userId: returned.shift() as string }) });
    for (let i = 0; i < 4; i++) {
      const client = await TestClient.open(node.url);
      client.send({ event: 'authenticate', data: { token: 'ok' } });
      expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.AUTH_FAILED);
      expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    }
    const numeric = await TestClient.open(node.url);
    numeric.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await numeric.next('connected')).data.userId).toBe('42');
    expect(node.helper.getClientsByUser({ userId: '42' })).toHaveLength(1);
    await numeric.close();
  });

  test('no authenticate within authTimeout closes with 4001', async () => {
    node = await startNode({ authTimeout: 150 });
    const client = await TestClient.open(node.url);
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    expect(node.helper.getClients().size).toBe(0);
  });

  test('an authenticateFn slower than authTimeout * 3 closes with 4001 and never sends connected', async () => {
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    node = await startNode({
      authTimeout: 100,
      authenticateFn: async () => {
        await gate;
        return { userId: 'late' };
      },
    });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    release();
    await Bun.sleep(0);
    expect(client.all('connected')).toHaveLength(0);
    expect(node.helper.getClients().size).toBe(0);
    expect(node.helper.getClientsByUser({ userId: 'late' })).toHaveLength(0);
  });

  test('authenticateFn has authTimeout * 3 to finish: one slower than authTimeout (but well within 3x) connects', async () => {
    node = await startNode({
      authTimeout: 200,
      authenticateFn: async () => {
        await Bun.sleep(400); // the slow check under test: 2x authTimeout, 200 ms short of the 3x deadline
        return { userId: 'patient' };
      },
    });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.next('connected')).data.userId).toBe('patient');
    expect(client.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  test('a client that leaves mid-auth leaves no trace and no late callbacks', async () => {
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    let entered!: () => void;
    const inAuth = new Promise<void>(r => (entered = r));
    let connectedCalls = 0;
    let removed!: () => void;
    const gone = new Promise<void>(r => (removed = r));
    node = await startNode({
      clientRemovedFn: () => removed(),
      authenticateFn: async () => {
        entered();
        await gate;
        return { userId: 'ghost' };
      },
      clientConnectedFn: () => {
        connectedCalls++;
      },
    });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    await inAuth;
    await client.close();
    await gone;
    expect(node.helper.getClients().size).toBe(0);
    release();
    await gate;
    await Bun.sleep(0);
    expect(connectedCalls).toBe(0);
    expect(node.helper.getClientsByUser({ userId: 'ghost' })).toHaveLength(0);
    expect(node.helper.getClientsByRoom({ room: 'ws-default' })).toHaveLength(0);
  });

  test('authenticate twice answers ALREADY_AUTHENTICATED; during auth answers AUTH_IN_PROGRESS', async () => {
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    node = await startNode({
      authenticateFn: async () => {
        await gate;
        return { userId: 'u' };
      },
    });
    const client = await TestClient.open(node.url);
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.AUTH_IN_PROGRESS);
    release();
    await client.next('connected');
    client.send({ event: 'authenticate', data: { token: 'ok' } });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.ALREADY_AUTHENTICATED);
    await client.close();
  });

  test('clientConnectedFn gets { clientId, userId, metadata }; clientDisconnectedFn runs on close', async () => {
    const seen: string[] = [];
    let disconnected!: (v: { clientId: string; userId?: string }) => void;
    const gone = new Promise<{ clientId: string; userId?: string }>(r => (disconnected = r));
    const typed = await startNode<{ token: string }, { role: string }>({
      authenticateFn: () => ({ userId: 'u9', metadata: { role: 'admin' } }),
      clientConnectedFn: ({ clientId, userId, metadata }) => {
        seen.push(`${clientId}:${userId}:${metadata?.role}`);
      },
      clientDisconnectedFn: who => disconnected(who),
    });
    node = typed as unknown as ITestNode;
    const client = await TestClient.connect(typed.url);
    expect(seen).toEqual([`${client.id}:u9:admin`]);
    // MetadataType flows through the getters: `role` is typed, no cast.
    const role: string | undefined = typed.helper.getClients({ id: client.id })?.metadata?.role;
    expect(role).toBe('admin');
    const id = client.id;
    await client.close();
    expect(await gone).toEqual({ clientId: id, userId: 'u9' });
  });
});
