import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { startProcessNode } from '../support/node-process';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('protection against abusive clients', () => {
  test('a 10k msg/s flood from one client trips its limiter; logs stay bounded; a control client keeps receiving', async () => {
    const proc = await startProcessNode();
    try {
      const url = `ws://127.0.0.1:${proc.port}/ws`;
      const control = await TestClient.connect(url);
      const flooder = await TestClient.connect(url);
      const baseline = proc.logged();
      // 10 000 frames in one second, in 10 paced slices of 1 000.
      let sent = 0;
      for (let slice = 0; slice < 10 && flooder.readyState === WebSocket.OPEN; slice++) {
        for (let i = 0; i < 1_000; i++) flooder.send({ event: 'chat', data: { n: sent++ } });
        await Bun.sleep(100);
      }
      const closed = await flooder.closed;
      const accepted = flooder.all('chat').length;
      const limited = flooder.all('error').filter(f => f.data.code === WebSocketErrorCodes.RATE_LIMITED).length;
      const logBytes = proc.logged() - baseline;
      console.log(`[figures] flood: ${sent} sent, ${accepted} accepted, ${sent - accepted} rejected, ${limited} RATE_LIMITED answers, close ${closed.code}, ${logBytes} log bytes`);
      expect(closed.code).toBe(WebSocketCloseCodes.RATE_LIMITED);
      expect(limited).toBeGreaterThanOrEqual(1);
      expect(limited).toBeLessThanOrEqual(3);
      // The bucket lets the burst (200) plus about 100/s through, nothing like the 10 000 sent.
      expect(accepted).toBeGreaterThanOrEqual(200);
      expect(accepted).toBeLessThan(600);
      expect(logBytes).toBeLessThan(2_000);
      // The control client in the same room got every accepted message and is still served.
      const marker = crypto.randomUUID();
      control.send({ event: 'chat', data: { marker } });
      await control.next('chat', f => f.data?.marker === marker);
      expect(control.all('chat').length).toBe(accepted + 1);
      await control.close();
    } finally {
      await proc.stop();
    }
  }, 30_000);

  test('a client over its rate is told RATE_LIMITED at most once a second, and recovers when it slows down', async () => {
    node = await startNode({ protection: { rateLimit: { perSecond: 20, burst: 5, closeAfterDropped: 1_000 } }, events: [] });
    const client = await TestClient.connect(node.url);
    for (let i = 0; i < 30; i++) client.send({ event: 'heartbeat' });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.RATE_LIMITED);
    await Bun.sleep(300); // refill: 20/s for 300 ms = 6 tokens
    const ack = await client.request('join', { rooms: ['back'] }, 'joined');
    expect(ack.data.rooms).toEqual(['back']);
    expect(client.all('error')).toHaveLength(1);
    await client.close();
  });

  test('maxConnectionsPerIp: the connection past the cap is refused with HTTP 429, and a slot frees on close', async () => {
    node = await startNode({ protection: { maxConnectionsPerIp: 2 } });
    const a = await TestClient.open(node.url);
    const b = await TestClient.open(node.url);
    const refused = await fetch(`http://127.0.0.1:${node.port}/ws`, {
      headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
    });
    expect(refused.status).toBe(429);
    await a.close();
    await new Promise<void>(resolve => {
      const check = () => (node!.helper.getClients().size === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    const c = await TestClient.open(node.url);
    expect(c.readyState).toBe(WebSocket.OPEN);
    await b.close();
    await c.close();
  });

  test('maxRoomsPerClient: joins past the cap are refused; the own-id room does not count', async () => {
    node = await startNode({ defaultRooms: [], protection: { maxRoomsPerClient: 3 } });
    const client = await TestClient.connect(node.url);
    const first = await client.request('join', { rooms: ['a', 'b'] }, 'joined');
    expect(first.data).toEqual({ rooms: ['a', 'b'], refused: [] });
    const second = await client.request('join', { rooms: ['a', 'c', 'd'] }, 'joined');
    expect(second.data).toEqual({ rooms: ['a', 'c'], refused: ['d'] });
    await client.request('leave', { rooms: ['a'] }, 'left');
    const third = await client.request('join', { rooms: ['d'] }, 'joined');
    expect(third.data.rooms).toEqual(['d']);
    await client.close();
  });
});
