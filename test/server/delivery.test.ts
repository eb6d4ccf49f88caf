import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes } from '../../src';
import { RawWsClient } from '../support/raw-ws';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

/** Sends a marker to the client and waits for it, proving everything sent before it has arrived. */
const flush = async (n: ITestNode, client: TestClient) => {
  const marker = crypto.randomUUID();
  n.helper.sendToClient({ clientId: client.id, event: 'marker', data: marker });
  await client.next('marker', f => f.data === marker);
};

/** An authenticated client on a plain TCP socket that has stopped reading (it can resume later). */
const stalledClient = async (n: ITestNode) => {
  const raw = await RawWsClient.open(n.port);
  const admitted = raw.waitFor('"connected"');
  raw.sendJson({ event: 'authenticate', data: { token: 'ok' } });
  const id: string = JSON.parse(await admitted).data.id;
  raw.pause();
  return { raw, id };
};

describe('local delivery', () => {
  test('sendToClient reaches only that client; unauthenticated clients get nothing', async () => {
    node = await startNode();
    const a = await TestClient.connect(node.url);
    const b = await TestClient.connect(node.url);
    const pending = await TestClient.open(node.url);
    node.helper.sendToClient({ clientId: a.id, event: 'only-a', data: { n: 1 } });
    for (const id of node.helper.getClients().keys()) {
      if (id !== a.id && id !== b.id) node.helper.sendToClient({ clientId: id, event: 'leak', data: 1 });
    }
    expect((await a.next('only-a')).data).toEqual({ n: 1 });
    await flush(node, b);
    expect(b.all('only-a')).toHaveLength(0);
    pending.send({ event: 'authenticate', data: { token: 'ok' } });
    await pending.next('connected');
    expect(pending.all('leak')).toHaveLength(0);
    for (const c of [a, b, pending]) await c.close();
  });

  test('sendToRoom uses one Bun topic publish and reaches every member once', async () => {
    node = await startNode();
    const members = await Promise.all([1, 2, 3].map(() => TestClient.connect(node!.url)));
    const outsider = await TestClient.connect(node.url);
    for (const m of members) await m.request('join', { rooms: ['news'] }, 'joined');
    const before = node.helper.getStats().published;
    node.helper.sendToRoom({ room: 'news', event: 'headline', data: 'x' });
    expect(node.helper.getStats().published).toBe(before + 1);
    for (const m of members) expect((await m.next('headline')).data).toBe('x');
    await flush(node, outsider);
    expect(outsider.all('headline')).toHaveLength(0);
    for (const m of members) {
      await flush(node, m);
      expect(m.all('headline')).toHaveLength(1);
    }
    for (const c of [...members, outsider]) await c.close();
  });

  test('sendToRoom and broadcast with exclude skip the excluded clients', async () => {
    node = await startNode();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => TestClient.connect(node!.url)));
    node.helper.sendToRoom({ room: 'ws-default', event: 'room-ex', data: 1, exclude: [b!.id] });
    node.helper.broadcast({ event: 'all-ex', data: 2, exclude: [a!.id, c!.id] });
    await a!.next('room-ex');
    await c!.next('room-ex');
    await b!.next('all-ex');
    for (const x of [a!, b!, c!]) await flush(node, x);
    expect(b!.all('room-ex')).toHaveLength(0);
    expect(a!.all('all-ex')).toHaveLength(0);
    expect(c!.all('all-ex')).toHaveLength(0);
    for (const x of [a!, b!, c!]) await x.close();
  });

  test('a user going from one session to two and back: counts, lookups and sendToUser follow every step', async () => {
    const removals = new Map<string, () => void>();
    const removed = (id: string) => new Promise<void>(resolve => removals.set(id, resolve));
    node = await startNode({ clientRemovedFn: ({ clientId }) => removals.get(clientId)?.() });
    const ids = (userId: string) => node!.helper.getClientsByUser({ userId }).map(c => c.id).sort();
    const first = await TestClient.connect(node.url, { token: 'user:ann' });
    expect(node.helper.getUserConnections({ userId: 'ann' })).toBe(1);
    expect(ids('ann')).toEqual([first.id]);

    const second = await TestClient.connect(node.url, { token: 'user:ann' });
    expect(node.helper.getUserConnections({ userId: 'ann' })).toBe(2);
    expect(ids('ann')).toEqual([first.id, second.id].sort());
    node.helper.sendToUser({ userId: 'ann', event: 'both', data: 1 });
    expect((await first.next('both')).data).toBe(1);
    expect((await second.next('both')).data).toBe(1);

    const firstGone = removed(first.id);
    await first.close();
    await firstGone;
    expect(node.helper.getUserConnections({ userId: 'ann' })).toBe(1);
    expect(ids('ann')).toEqual([second.id]);
    node.helper.sendToUser({ userId: 'ann', event: 'left-one', data: 2 });
    expect((await second.next('left-one')).data).toBe(2);

    const secondGone = removed(second.id);
    await second.close();
    await secondGone;
    expect(node.helper.getUserConnections({ userId: 'ann' })).toBe(0);
    expect(ids('ann')).toEqual([]);
  });

  test('broadcast reaches authenticated clients only', async () => {
    node = await startNode();
    const a = await TestClient.connect(node.url);
    const pending = await TestClient.open(node.url);
    node.helper.broadcast({ event: 'announce', data: 'hello' });
    expect((await a.next('announce')).data).toBe('hello');
    pending.send({ event: 'authenticate', data: { token: 'ok' } });
    await pending.next('connected');
    await flush(node, pending);
    expect(pending.all('announce')).toHaveLength(0);
    await a.close();
    await pending.close();
  });

  test('send() targets a client id, a room, or everyone, and runs cb afterwards', async () => {
    node = await startNode();
    const a = await TestClient.connect(node.url);
    const b = await TestClient.connect(node.url);
    await b.request('join', { rooms: ['team'] }, 'joined');
    node.helper.send({ destination: a.id, payload: { topic: 'direct', data: 1 } });
    node.helper.send({ destination: 'team', payload: { topic: 'team-msg', data: 2 } });
    const cbRan = new Promise<void>(resolve => node!.helper.send({ payload: { topic: 'everyone', data: 3 }, doLog: true, cb: resolve }));
    expect((await a.next('direct')).data).toBe(1);
    expect((await b.next('team-msg')).data).toBe(2);
    await a.next('everyone');
    await b.next('everyone');
    await cbRan;
    await flush(node, a);
    expect(a.all('team-msg')).toHaveLength(0);
    expect(b.all('direct')).toHaveLength(0);
    await a.close();
    await b.close();
  });

  test('backpressure: the flag is set when Bun buffers, and cleared on drain', async () => {
    node = await startNode({ serverOptions: { backpressureLimit: 64 * 1024 } });
    const reader = await RawWsClient.open(node.port);
    const admitted = reader.waitFor('connected');
    reader.sendJson({ event: 'authenticate', data: { token: 'ok' } });
    await admitted;
    reader.pause();
    const client = [...node.helper.getClients().values()][0]!;
    const chunk = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 200 && !client.backpressured; i++) node.helper.sendToClient({ clientId: client.id, event: 'bulk', data: chunk });
    expect(client.backpressured).toBe(true);
    expect(node.helper.getStats().backpressured).toBeGreaterThan(0);
    reader.resume();
    // Bun's drain callback is internal: poll the flag, bounded.
    const deadline = Date.now() + 10_000;
    while (client.backpressured && Date.now() < deadline) await Bun.sleep(10);
    expect(client.backpressured).toBe(false);
    reader.destroy();
    await node.untilEmpty();
  });
});

describe('slow consumers', () => {
  const text = 'x'.repeat(1024);

  test('a member that stops reading under a room flood is closed with 4006 and counted; a reading member gets everything', async () => {
    node = await startNode({ serverOptions: { backpressureLimit: 64 * 1024 } });
    const slow = await stalledClient(node);
    const reader = await TestClient.connect(node.url);
    let sent = 0;
    // Until the stalled member is gone; bounded (~40 MB) so a regression fails instead of looping.
    while (node.helper.getClients({ id: slow.id }) && sent < 40_000) {
      node.helper.sendToRoom({ room: 'ws-default', event: 'flood', data: { i: sent++, text } });
      if (sent % 100 === 0) await reader.next('flood', f => f.data.i === sent - 1); // the reader keeps up
    }
    expect(node.helper.getClients({ id: slow.id })).toBeUndefined();
    const stats = node.helper.getStats();
    expect(stats.slowConsumerClosed).toBe(1);
    expect(stats.dropped).toBe(1); // the one message that found its socket full
    slow.raw.resume();
    expect(await slow.raw.closed).toBe(WebSocketCloseCodes.SLOW_CONSUMER);
    await flush(node, reader);
    expect(reader.all('flood').map(f => f.data.i)).toEqual([...Array(sent).keys()]);
    expect(reader.readyState).toBe(WebSocket.OPEN);
    await reader.close();
  });

  test('with closeOnBackpressureLimit off the stalled client stays, and every message refused to it counts in dropped', async () => {
    node = await startNode({ serverOptions: { backpressureLimit: 64 * 1024, closeOnBackpressureLimit: false } });
    const slow = await stalledClient(node);
    const received: number[] = [];
    let delivered = Number.POSITIVE_INFINITY;
    let allDelivered!: () => void;
    const delivering = new Promise<void>(resolve => (allDelivered = resolve));
    slow.raw.onText(frame => {
      if (!frame.startsWith('{"event":"flood"')) return;
      received.push(JSON.parse(frame).data.i);
      if (received.length === delivered) allDelivered();
    });
    let sent = 0;
    while (node.helper.getStats().dropped < 100 && sent < 100_000) {
      node.helper.sendToClient({ clientId: slow.id, event: 'flood', data: { i: sent++, text } });
    }
    const { dropped, slowConsumerClosed } = node.helper.getStats();
    expect(dropped).toBe(100);
    expect(slowConsumerClosed).toBe(0);
    delivered = sent - dropped;
    slow.raw.resume();
    await delivering;
    // Drained, it is an ordinary client again: the next message arrives, and nothing else came before it.
    const marker = slow.raw.waitFor('"after"');
    node.helper.sendToClient({ clientId: slow.id, event: 'after', data: null });
    await marker;
    expect(received).toEqual([...Array(delivered).keys()]); // the first `delivered` went out, every later one was counted
    expect(node.helper.getClients({ id: slow.id })).toBeDefined();
    slow.raw.destroy();
    await node.untilEmpty();
  });
});
