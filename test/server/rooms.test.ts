import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketErrorCodes } from '../../src';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('rooms', () => {
  test('after auth a client is in its own id room and the default rooms', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    const tracked = node.helper.getClients({ id: client.id })!;
    expect([...tracked.rooms].sort()).toEqual([client.id, 'ws-default', 'ws-notification'].sort());
    expect(node.helper.getClientsByRoom({ room: client.id }).map(c => c.id)).toEqual([client.id]);
    node.helper.sendToRoom({ room: client.id, event: 'direct', data: 1 });
    expect((await client.next('direct')).data).toBe(1);
    await client.close();
  });

  test('defaultRooms replaces the default set', async () => {
    node = await startNode({ defaultRooms: ['lobby'] });
    const client = await TestClient.connect(node.url);
    expect([...node.helper.getClients({ id: client.id })!.rooms].sort()).toEqual([client.id, 'lobby'].sort());
    await client.close();
  });

  test('join is answered with the rooms joined and the rooms refused', async () => {
    node = await startNode({ validateRoomFn: ({ rooms }) => rooms.filter(r => r.startsWith('public-')) });
    const client = await TestClient.connect(node.url);
    const ack = await client.request('join', { rooms: ['public-a', 'secret', 'public-b'] }, 'joined');
    expect(ack.data).toEqual({ rooms: ['public-a', 'public-b'], refused: ['secret'] });
    expect(node.helper.getClientsByRoom({ room: 'public-a' }).map(c => c.id)).toEqual([client.id]);
    expect(node.helper.getClientsByRoom({ room: 'secret' })).toEqual([]);
    await client.close();
  });

  test('without validateRoomFn every join is refused', async () => {
    node = await startNode({ validateRoomFn: undefined });
    const client = await TestClient.connect(node.url);
    const ack = await client.request('join', { rooms: ['anything'] }, 'joined');
    expect(ack.data).toEqual({ rooms: [], refused: ['anything'] });
    expect(node.helper.getClientsByRoom({ room: 'anything' })).toEqual([]);
    await client.close();
  });

  test('ws: names and client-id-shaped names are refused even when validateRoomFn allows all', async () => {
    let asked: string[] = [];
    node = await startNode({
      validateRoomFn: ({ rooms }) => {
        asked = rooms;
        return rooms;
      },
    });
    const a = await TestClient.connect(node.url);
    const b = await TestClient.connect(node.url);
    const ack = await a.request('join', { rooms: ['ws:internal:broadcast', b.id, crypto.randomUUID(), 'ok'] }, 'joined');
    expect(ack.data.rooms).toEqual(['ok']);
    expect(ack.data.refused).toHaveLength(3);
    expect(asked).toEqual(['ok']);
    node.helper.send({ destination: b.id, payload: { topic: 'for-b', data: 'secret' } });
    expect((await b.next('for-b')).data).toBe('secret');
    await a.request('join', { rooms: ['sync'] }, 'joined');
    expect(a.all('for-b')).toHaveLength(0);
    await a.close();
    await b.close();
  });

  test('leave is answered; leaving a room never joined does nothing; the own-id room cannot be left', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    await client.request('join', { rooms: ['r1'] }, 'joined');
    const ack = await client.request('leave', { rooms: ['r1', 'never', client.id] }, 'left');
    expect(ack.data).toEqual({ rooms: ['r1'], refused: [client.id] });
    expect(node.helper.getClientsByRoom({ room: 'r1' })).toEqual([]);
    expect(node.helper.getClients({ id: client.id })!.rooms.has(client.id)).toBe(true);
    node.helper.sendToRoom({ room: 'r1', event: 'after-leave', data: 1 });
    node.helper.sendToClient({ clientId: client.id, event: 'marker', data: 2 });
    await client.next('marker');
    expect(client.all('after-leave')).toHaveLength(0);
    await client.close();
  });

  test('malformed join/leave payloads get INVALID_ROOMS and change nothing', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    const bad = [
      undefined,
      null,
      'room',
      ['room'],
      { rooms: 'room' },
      { rooms: [] },
      { rooms: [1] },
      { rooms: ['ok', 2] },
      { rooms: [''] },
      { rooms: ['x'.repeat(300)] },
      { rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) },
    ];
    for (const data of bad) {
      for (const event of ['join', 'leave']) {
        const answer = await client.request(event, data, 'error');
        expect(answer.data.code).toBe(WebSocketErrorCodes.INVALID_ROOMS);
      }
    }
    expect(node.helper.getClients({ id: client.id })!.rooms.size).toBe(3);
    await client.close();
  });

  test('a validateRoomFn that throws refuses the join, and cannot widen a request', async () => {
    let mode: 'throw' | 'widen' = 'throw';
    node = await startNode({
      validateRoomFn: ({ rooms }) => {
        if (mode === 'throw') throw new Error('db down');
        return [...rooms, 'admin'];
      },
    });
    const client = await TestClient.connect(node.url);
    expect((await client.request('join', { rooms: ['a'] }, 'joined')).data).toEqual({ rooms: [], refused: ['a'] });
    mode = 'widen';
    expect((await client.request('join', { rooms: ['a'] }, 'joined')).data).toEqual({ rooms: ['a'], refused: [] });
    expect(node.helper.getClientsByRoom({ room: 'admin' })).toEqual([]);
    await client.close();
  });

  test('joinRoom / leaveRoom from server code', async () => {
    node = await startNode();
    const client = await TestClient.connect(node.url);
    node.helper.joinRoom({ clientId: client.id, room: 'game-lobby' });
    expect(node.helper.getClientsByRoom({ room: 'game-lobby' }).map(c => c.id)).toEqual([client.id]);
    node.helper.sendToRoom({ room: 'game-lobby', event: 'tick', data: 1 });
    expect((await client.next('tick')).data).toBe(1);
    node.helper.leaveRoom({ clientId: client.id, room: 'game-lobby' });
    expect(node.helper.getClientsByRoom({ room: 'game-lobby' })).toEqual([]);
    await client.close();
  });
});

describe('tracking', () => {
  test('getClientsByUser spans sessions; the user index is cleaned when the last session leaves', async () => {
    node = await startNode();
    const a = await TestClient.connect(node.url, { token: 'user:alice' });
    const b = await TestClient.connect(node.url, { token: 'user:alice' });
    expect(node.helper.getClientsByUser({ userId: 'alice' }).map(c => c.id).sort()).toEqual([a.id, b.id].sort());
    node.helper.sendToUser({ userId: 'alice', event: 'hi', data: 1 });
    await a.next('hi');
    await b.next('hi');
    await a.close();
    await b.close();
    await node.untilEmpty();
    expect(node.helper.getClientsByUser({ userId: 'alice' })).toEqual([]);
    expect(node.helper.getClientsByRoom({ room: 'ws-default' })).toEqual([]);
  });
});
