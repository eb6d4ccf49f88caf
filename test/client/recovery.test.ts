/**
 * Recovery in the client library (wiki/recovery.md, "The client library") against real nodes on
 * the in-memory backend and a real redis-server: the client keeps each room's position, re-joins
 * with `since` after its node restarts, delivers what it missed before what arrives live, each
 * message once and in order, and reports `recovery` (with `recovered: false` beyond the window).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { WebSocketClient, type IWebSocketClientRecoveryEvent } from '../../src/client';
import { WebSocketEmitter } from '../../src/emitter';
import { nextEvent, sleep } from '../support/client-events';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';

const historyFn = (room: string) => (room.startsWith('small') ? { size: 10, ttlSeconds: 0 } : room.startsWith('chat') ? { size: 5000, ttlSeconds: 600 } : false);

/** Every `msg` the app's handler sees, in order, and a wait for the one numbered `n`. */
const inbox = (client: WebSocketClient<any, any>) => {
  const seen: number[] = [];
  const waiters = new Map<number, () => void>();
  client.on('msg', (data: { n: number }) => {
    seen.push(data.n);
    waiters.get(data.n)?.();
  });
  const until = (n: number, timeoutMs = 20_000) =>
    seen.includes(n)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`message ${n} not seen; last ${seen.at(-1)} of ${seen.length}`)), timeoutMs);
          waiters.set(n, () => {
            clearTimeout(timer);
            resolve();
          });
        });
  return { seen, until };
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

for (const backend of ['memory', 'redis'] as const) {
  describe(`client recovery on ${backend}`, () => {
    let redis: TestRedis | undefined;
    let a: ITestNode;
    let b: ITestNode;
    const startA = (port = 0) => startNode({ identifier: 'a', historyFn, ...(redis && { redisConnection: redis.helper('a') }) }, port);
    beforeAll(async () => {
      if (backend === 'redis') redis = await TestRedis.start();
      a = await startA();
      b = await startNode({ identifier: 'b', historyFn, ...(redis && { redisConnection: redis.helper('b') }) });
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await redis?.stop();
    });

    const connectTo = async (node: ITestNode) => {
      const client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
      await client.connect();
      return client;
    };
    const send = (room: string, n: number) => b.helper.send({ destination: room, payload: { topic: 'msg', data: { n } } });

    test('1,000 messages sent from another node during a 5 s restart of the client\'s node arrive once, in order, before live ones', async () => {
      const room = `chat-${backend}`;
      const client = await connectTo(a);
      const { seen, until } = inbox(client);
      const recoveries: IWebSocketClientRecoveryEvent[] = [];
      client.on('recovery', event => void recoveries.push(event));
      await client.join([room]);
      for (let n = 0; n < 10; n++) send(room, n);
      await until(9);

      const dropped = nextEvent(client, 'disconnected');
      const port = a.port;
      await a.stop();
      await dropped;
      // The disconnect lasts 5 s: 1,000 messages in 10 bursts, one every 500 ms.
      for (let burst = 0; burst < 10; burst++) {
        for (let n = 10 + burst * 100; n < 10 + (burst + 1) * 100; n++) send(room, n);
        await sleep(500);
      }
      // Live messages keep coming, one a millisecond, while the client re-joins: some are sent before
      // its join, some while the join's subscription and history read are under way (in both the
      // read and the live stream), some after: the recovered/live boundary.
      const reconnected = nextEvent(client, 'reconnected', { timeoutMs: 10_000 });
      client.on('connected', async () => {
        for (let n = 1010; n < 1210; n++) {
          send(room, n);
          await sleep(1);
        }
      });
      a = await startA(port);
      expect((await reconnected).rejoined).toEqual([room]);
      await until(1209);
      expect(seen).toEqual(range(0, 1210));
      expect(recoveries).toEqual([{ room, recovered: true, messages: expect.any(Number) }]);
      expect(recoveries[0]!.messages).toBeGreaterThanOrEqual(1000);
      client.close();
    }, 30_000);

    test('beyond the window the app is told recovered: false, and live messages flow on', async () => {
      const room = `small-${backend}`;
      const client = await connectTo(a);
      const { seen, until } = inbox(client);
      await client.join([room]);
      send(room, 0);
      await until(0);

      const dropped = nextEvent(client, 'disconnected');
      const port = a.port;
      await a.stop();
      await dropped;
      for (let n = 1; n <= 200; n++) send(room, n);
      let top;
      do top = await b.helper.history(room, { limit: 1 });
      while ((top.messages[0]?.data as { n?: number } | undefined)?.n !== 200);

      const recovery = nextEvent<IWebSocketClientRecoveryEvent>(client, 'recovery', { timeoutMs: 10_000 });
      const reconnected = nextEvent(client, 'reconnected', { timeoutMs: 10_000 });
      a = await startA(port);
      expect(await recovery).toEqual({ room, recovered: false, messages: 0 });
      expect(seen).toEqual([0]); // nothing of the lost stretch is handed over as if it were complete
      await reconnected;
      send(room, 201);
      await until(201);
      expect(seen).toEqual([0, 201]);
      client.close();
    }, 20_000);

    test('history(): a member reads the newest messages, or those after a position; a non-member is refused', async () => {
      const room = `chat-read-${backend}`;
      const member = await connectTo(a);
      const outsider = await connectTo(b);
      await member.join([room]);
      const { until } = inbox(member);
      for (let n = 0; n < 30; n++) send(room, n);
      await until(29);
      const newest = await member.history(room, { limit: 5 });
      expect(newest.room).toBe(room);
      expect(newest.messages.map(m => (m.data as { n: number }).n)).toEqual([25, 26, 27, 28, 29]);
      expect(newest.pos).toEqual(newest.messages.at(-1)!.pos);
      const after = await member.history(room, { since: newest.messages[1]!.pos });
      expect(after.recovered).toBe(true);
      expect(after.messages.map(m => (m.data as { n: number }).n)).toEqual([27, 28, 29]);
      await expect(outsider.history(room)).rejects.toMatchObject({ code: 'HISTORY_REFUSED' });
      await outsider.join([room]);
      expect((await outsider.history(room)).messages).toHaveLength(30);
      member.close();
      outsider.close();
    });

    test('an emitter with historyFn publishes into history: a client that was away recovers its messages', async () => {
      const room = `chat-emitter-${backend}`;
      const emitter = new WebSocketEmitter({ historyFn, ...(redis && { redisConnection: redis.helper('emitter') }) });
      const client = await connectTo(a);
      const { seen, until } = inbox(client);
      await client.join([room]);
      await emitter.toRoom({ room, event: 'msg', data: { n: 0 } });
      await until(0);
      const dropped = nextEvent(client, 'disconnected');
      const port = a.port;
      await a.stop();
      await dropped;
      for (let n = 1; n <= 20; n++) await emitter.toRoom({ room, event: 'msg', data: { n } });
      const recovery = nextEvent<IWebSocketClientRecoveryEvent>(client, 'recovery', { timeoutMs: 10_000 });
      a = await startA(port);
      expect(await recovery).toEqual({ room, recovered: true, messages: 20 });
      expect(seen).toEqual(range(0, 21));
      expect((await b.helper.history(room)).messages).toHaveLength(21);
      client.close();
      await emitter.shutdown();
    });
  });
}
