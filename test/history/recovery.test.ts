/**
 * Room history and recovery (wiki/recovery.md) on the in-memory backend and a real redis-server:
 * messages sent while a client is away are recovered exactly once and in order; a gap beyond the
 * window, or a lost history (FLUSHALL), answers `recovered: false`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { IStreamPosition } from '../../src';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

interface IHistoryReply {
  pos: IStreamPosition;
  recovered?: boolean;
  messages: { event: string; data: unknown; pos: IStreamPosition }[];
}

const n = (message: { data: unknown } | undefined): number | undefined => (message?.data as { n?: number } | undefined)?.n;

const historyFn = (room: string) => (room.startsWith('small') ? { size: 10, ttlSeconds: 0 } : room.startsWith('chat') ? { size: 5000, ttlSeconds: 600 } : false);

/** 200 clients from one address at once. */
const protection = { maxConnectionsPerIp: 0, maxUnauthenticatedPerIp: 0, maxUnauthenticated: 0 };

const joinWith = async (node: ITestNode, room: string, since?: IStreamPosition): Promise<IHistoryReply> => {
  const client = await TestClient.connect(node.url);
  const ack = await client.request('join', since ? { rooms: [room], since: { [room]: since } } : { rooms: [room] }, 'joined');
  await client.close();
  return (ack.data as { history: Record<string, IHistoryReply> }).history[room]!;
};

for (const backend of ['memory', 'redis'] as const) {
  describe(`history on ${backend}`, () => {
    let redis: TestRedis | undefined;
    let a: ITestNode;
    let b: ITestNode;
    beforeAll(async () => {
      if (backend === 'redis') redis = await TestRedis.start();
      const redisConnection = redis ? redis.helper() : undefined;
      a = await startNode({ identifier: 'a', historyFn, protection, ...(redisConnection && { redisConnection }) });
      b = await startNode({ identifier: 'b', historyFn, protection, ...(redis && { redisConnection: redis.helper('b') }) });
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await redis?.stop();
    });

    test('1,000 messages sent while away are recovered exactly once, in order', async () => {
      const room = `chat-${backend}`;
      const start = await joinWith(a, room);
      for (let n = 0; n < 1000; n++) b.helper.send({ destination: room, payload: { topic: 'msg', data: { n } } });
      // The sends are held by the broker until acknowledged: wait until history has all of them.
      let top: IHistoryReply;
      do top = await a.helper.history(room, { limit: 1 });
      while (n(top.messages[0]) !== 999);
      const back = await joinWith(a, room, start.pos);
      expect(back.recovered).toBe(true);
      expect(back.messages.map(n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
      expect(back.pos).toEqual(back.messages.at(-1)!.pos);
    });

    test('a live member gets the room and position with each message', async () => {
      const room = `chat-live-${backend}`;
      const client = await TestClient.connect(a.url);
      await client.join([room]);
      b.helper.send({ destination: room, payload: { topic: 'msg', data: { n: 1 } } });
      const frame = (await client.next('msg')) as { room?: string; pos?: IStreamPosition };
      expect(frame.room).toBe(room);
      const history = await a.helper.history(room);
      expect(frame.pos).toEqual(history.messages[0]!.pos);
      await client.close();
    });

    test('recovered: false when the gap is older than the window', async () => {
      const room = `small-${backend}`;
      const start = await joinWith(a, room);
      for (let n = 0; n < 200; n++) b.helper.send({ destination: room, payload: { topic: 'msg', data: { n } } });
      let top: IHistoryReply;
      do top = await a.helper.history(room, { limit: 1 });
      while (n(top.messages[0]) !== 199);
      const back = await joinWith(a, room, start.pos);
      expect(back.recovered).toBe(false);
      expect(back.messages).toEqual([]);
    });

    if (backend === 'redis') {
      test('200 clients recovering one room at once share stream reads (<= 0.1 XRANGE per client)', async () => {
        const room = 'chat-herd';
        const start = await joinWith(a, room);
        for (let i = 0; i < 50; i++) b.helper.send({ destination: room, payload: { topic: 'msg', data: { n: i } } });
        let top: IHistoryReply;
        do top = await a.helper.history(room, { limit: 1 });
        while (n(top.messages[0]) !== 49);
        const clients = await Promise.all(Array.from({ length: 200 }, () => TestClient.connect(a.url)));
        const admin = redis!.helper('stats').getClient();
        const xrangeCalls = async () => Number(/cmdstat_xrange:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
        const before = await xrangeCalls();
        const acks = await Promise.all(clients.map(c => c.request('join', { rooms: [room], since: { [room]: start.pos } }, 'joined')));
        const after = await xrangeCalls();
        for (const ack of acks) {
          const reply = (ack.data as { history: Record<string, IHistoryReply> }).history[room]!;
          expect(reply.recovered).toBe(true);
          expect(reply.messages.map(n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        }
        expect(after - before).toBeGreaterThan(0);
        expect(after - before).toBeLessThanOrEqual(20);
        await Promise.all(clients.map(c => c.close()));
        await admin.quit();
      });

      test('recovered: false when the epoch changed (FLUSHALL)', async () => {
        const room = 'chat-flushed';
        const start = await joinWith(a, room);
        await redis!.helper('admin').getClient().flushall();
        b.helper.send({ destination: room, payload: { topic: 'msg', data: { n: 0 } } });
        let top: IHistoryReply;
        do top = await a.helper.history(room, { limit: 1 });
        while (top.messages.length === 0);
        expect(top.pos.epoch).not.toBe(start.pos.epoch);
        const back = await joinWith(a, room, start.pos);
        expect(back.recovered).toBe(false);
      });
    }
  });
}
