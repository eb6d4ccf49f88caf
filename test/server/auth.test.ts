import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketClientStates, WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { captureLogs } from '../support/log-capture';
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

  test('each silent socket is closed at its own deadline; one that authenticated in time is not', async () => {
    node = await startNode({ authTimeout: 150 });
    const silent = await TestClient.open(node.url);
    const punctual = await TestClient.connect(node.url, { token: 'ok' });
    const alsoSilent = await TestClient.open(node.url);
    expect((await silent.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    expect((await alsoSilent.closed).code).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    node.helper.sendToClient({ clientId: punctual.id, event: 'still-here', data: 1 });
    expect((await punctual.next('still-here')).data).toBe(1);
    await punctual.close();
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
  test('clientRemovedFn runs after an async clientDisconnectedFn has finished; a throwing or rejecting callback is logged and the next still runs', async () => {
    const order: string[] = [];
    let finishDisconnect!: () => void;
    const disconnectHeld = new Promise<void>(resolve => (finishDisconnect = resolve));
    let removed!: () => void;
    const allRemoved = new Promise<void>(resolve => (removed = resolve));
    let removals = 0;
    let slowStarted!: () => void;
    const slowDisconnecting = new Promise<void>(resolve => (slowStarted = resolve));
    node = await startNode({
      // Not an async function: a synchronous throw and a returned rejection take different paths.
      clientDisconnectedFn: ({ userId }) => {
        order.push(`disconnected ${userId} start`);
        if (userId === 'sync-throw') throw new Error('sync boom');
        if (userId === 'async-throw') return Promise.reject(new Error('async boom'));
        slowStarted();
        return disconnectHeld.then(() => void order.push(`disconnected ${userId} end`));
      },
      clientRemovedFn: ({ userId }) => {
        order.push(`removed ${userId}`);
        if (++removals === 3) removed();
      },
    });
    const logs = captureLogs();
    try {
      const slow = await TestClient.connect(node.url, { token: 'user:slow' });
      await slow.close();
      await slowDisconnecting;
      expect(order).toEqual(['disconnected slow start']);
      finishDisconnect();
      for (const user of ['sync-throw', 'async-throw']) {
        const client = await TestClient.connect(node.url, { token: `user:${user}` });
        await client.close();
      }
      await allRemoved;
      expect(order).toEqual([
        'disconnected slow start',
        'disconnected slow end',
        'removed slow',
        'disconnected sync-throw start',
        'removed sync-throw',
        'disconnected async-throw start',
        'removed async-throw',
      ]);
      const errors = logs.at('error').map(entry => entry.message);
      expect(errors.some(message => message.includes('clientDisconnectedFn threw') && message.includes('sync boom'))).toBe(true);
      // The rejection right after is the same kind of failure: counted by the log throttle, not a second line.
      expect(errors.filter(message => message.includes('clientDisconnectedFn threw'))).toHaveLength(1);
    } finally {
      logs.stop();
    }
  });
});
