import { afterEach, describe, expect, test } from 'bun:test';
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
