/**
 * Redis slow or down (paused with SIGSTOP on the redis-server this file started, or killed):
 * what a node holds for Redis stays bounded, every dropped publish is counted by reason and
 * logged once, what was buffered arrives in order afterwards, and shutdown does not wait on Redis.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { ApplicationError } from '@venizia/ignis-helpers';
import { WebSocketEmitter, WebSocketPublishErrorCodes } from '../../src';
import { captureLogs, type ILogCapture, type ILogEntry } from '../support/log-capture';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let redis: TestRedis;
let logs: ILogCapture;
const nodes: ITestNode[] = [];
const emitters: WebSocketEmitter[] = [];
const clients: TestClient[] = [];

beforeEach(async () => {
  redis = await TestRedis.start();
  logs = captureLogs();
});
afterEach(async () => {
  redis.resume();
  logs.stop();
  for (const c of clients.splice(0)) await c.close();
  for (const n of nodes.splice(0)) await n.stop();
  for (const e of emitters.splice(0)) await e.shutdown();
  await redis.stop();
});

const node = async (opts: Parameters<typeof startNode>[0] = {}) => {
  const started = await startNode({ redisConnection: redis.helper(), ...opts });
  nodes.push(started);
  return started;
};

const emitter = async (broker: ConstructorParameters<typeof WebSocketEmitter>[0]['broker']) => {
  const started = new WebSocketEmitter({ identifier: 'outage-emitter', redisConnection: redis.helper('emitter'), broker });
  emitters.push(started);
  await started.configure();
  return started;
};

/** A client on `on`, in `room`, whose join Redis has acknowledged. */
const member = async (on: ITestNode, room: string) => {
  const client = await TestClient.connect(on.url);
  clients.push(client);
  await client.request('join', { rooms: [room] }, 'joined');
  return client;
};

/** Lets already-settled publishes run their handlers (a macrotask boundary, not a wait for time). */
const handlersRun = () => new Promise<void>(resolve => setImmediate(resolve));

const isDropWarning = (entry: ILogEntry) => entry.level === 'warn' && entry.message.includes('[publish-dropping]');
const isRecovery = (entry: ILogEntry) => entry.level === 'info' && entry.message.includes('[publish-recovered]');

/** The `messageCode` a settled publish was rejected with, or 'ok'. */
const outcome = (settled: PromiseSettledResult<void>): string =>
  settled.status === 'fulfilled' ? 'ok' : settled.reason instanceof ApplicationError ? String(settled.reason.messageCode) : String(settled.reason);

test('Redis paused: the buffer stops at its bound, the rest is counted and warned about once; after SIGCONT the buffered messages arrive in order and recovery is logged', async () => {
  // A bound of 0 is no bound: the bytes and the time do not limit this node, only the count does.
  const a = await node({ broker: { maxBufferedMessages: 50, maxBufferedBytes: 0, publishTimeout: 0 } });
  const b = await node();
  const onB = await member(b, 'outage');

  redis.pause();
  try {
    for (let i = 0; i < 80; i++) a.helper.send({ destination: 'outage', payload: { topic: 'seq', data: i } });
    await handlersRun();
    let stats = a.helper.getStats();
    expect(stats.publishBuffered).toBe(50);
    expect(stats.publishDroppedBufferFull).toBe(30);
    expect(stats.publishFailed).toBe(30);

    for (let i = 80; i < 100; i++) a.helper.send({ destination: 'outage', payload: { topic: 'seq', data: i } });
    await handlersRun();
    stats = a.helper.getStats();
    expect(stats.publishBuffered).toBe(50);
    expect(stats.publishDroppedBufferFull).toBe(50);
    expect(stats.publishDroppedTimeout).toBe(0);
    expect(stats.publishDroppedLost).toBe(0);
    const warnings = logs.entries.filter(isDropWarning);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('buffer is full');
    expect(logs.entries.filter(isRecovery)).toHaveLength(0);
  } finally {
    redis.resume();
  }

  const recovery = await logs.until(isRecovery);
  expect(recovery.message).toContain('50 publishes were dropped meanwhile (buffer full 50, timed out 0, lost 0)');
  a.helper.send({ destination: 'outage', payload: { topic: 'after', data: 'marker' } });
  await onB.next('after');
  // Exactly what fitted, in the order it was sent; nothing that was dropped, nothing twice.
  expect(onB.all('seq').map(f => f.data)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(logs.entries.filter(isDropWarning)).toHaveLength(1);
}, 30_000);

test("Redis paused: an emitter's buffer is bounded in bytes too; refused publishes reject with PUBLISH_BUFFER_FULL, the rest resolve after SIGCONT and arrive in order", async () => {
  const b = await node();
  const onB = await member(b, 'bytes');
  const pad = 'x'.repeat(1024);
  const e = await emitter({ maxBufferedMessages: 0, maxBufferedBytes: 10 * 1024, publishTimeout: 60_000 });
  const size = Buffer.byteLength(JSON.stringify({ serverId: 'emitter', type: 'room', target: 'bytes', event: 'big', data: { i: 10, pad } }));
  const fits = Math.floor((10 * 1024) / size);
  expect(fits).toBeGreaterThan(0);

  let settled: PromiseSettledResult<void>[];
  redis.pause();
  try {
    const sends = Array.from({ length: 15 }, (_, i) => e.toRoom({ room: 'bytes', event: 'big', data: { i: i + 10, pad } }));
    const refused = await Promise.allSettled(sends.slice(fits));
    expect(refused.map(outcome)).toEqual(Array(15 - fits).fill(WebSocketPublishErrorCodes.BUFFER_FULL));
    expect(logs.entries.filter(isDropWarning)).toHaveLength(1);
    redis.resume();
    settled = await Promise.allSettled(sends.slice(0, fits));
  } finally {
    redis.resume();
  }
  expect(settled.map(outcome)).toEqual(Array(fits).fill('ok'));
  await onB.next('big', f => f.data.i === fits + 9);
  expect(onB.all('big').map(f => f.data.i)).toEqual(Array.from({ length: fits }, (_, i) => i + 10));
  await logs.until(isRecovery);
}, 30_000);

test('Redis paused past publishTimeout: publishes reject with PUBLISH_TIMEOUT, the stalled connection is reset, and publishing works again after SIGCONT', async () => {
  const b = await node();
  const onB = await member(b, 'slow');
  const e = await emitter({ publishTimeout: 300 });

  redis.pause();
  try {
    const written = await Promise.allSettled([1, 2, 3].map(i => e.toRoom({ room: 'slow', event: 'stalled', data: i })));
    expect(written.map(outcome)).toEqual(Array(3).fill(WebSocketPublishErrorCodes.TIMEOUT));
    // The connection that stopped answering is dropped and re-opened (which frees what ioredis held for it).
    await logs.until(entry => entry.message.includes('[redis-pub-reconnecting]'));
    // After the reset the connection cannot become ready while Redis is paused: a publish waits, then times out too.
    const waiting = await Promise.allSettled([e.toRoom({ room: 'slow', event: 'stalled', data: 4 })]);
    expect(waiting.map(outcome)).toEqual([WebSocketPublishErrorCodes.TIMEOUT]);
    expect(logs.entries.filter(isDropWarning)).toHaveLength(1);
    expect(logs.entries.filter(isDropWarning)[0]!.message).toContain('did not acknowledge within 300 ms');
  } finally {
    redis.resume();
  }

  // Back: a publish goes through (retried only because the reconnect may still be under way).
  let delivered = false;
  for (let attempt = 0; !delivered && attempt < 50; attempt++) {
    const [result] = await Promise.allSettled([e.toRoom({ room: 'slow', event: 'back', data: attempt })]);
    delivered = outcome(result!) === 'ok';
  }
  expect(delivered).toBe(true);
  await onB.next('back');
  const recovery = await logs.until(isRecovery);
  expect(Number(/timed out (\d+),/.exec(recovery.message)?.[1])).toBeGreaterThanOrEqual(4);
}, 30_000);

test('publishes made while the publishing connection is re-established wait in the buffer and go out in order, none lost', async () => {
  const a = await node({ identifier: 'node-a' });
  const b = await node();
  const onB = await member(b, 'queued');
  const admin = redis.helper('admin').getClient();
  await admin.connect();
  try {
    // Drops every plain connection (the publishers), not the subscribers: B keeps listening.
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await logs.until(entry => entry.message.includes('node-a') && entry.message.includes('[redis-pub-reconnecting]'));
    for (let i = 0; i < 20; i++) a.helper.send({ destination: 'queued', payload: { topic: 'q', data: i } });
    expect(a.helper.getStats().publishBuffered).toBe(20);
    await onB.next('q', f => f.data === 19);
    expect(onB.all('q').map(f => f.data)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(a.helper.getStats().publishFailed).toBe(0);
  } finally {
    admin.disconnect();
  }
}, 30_000);

test('Redis killed with publishes in flight: each one is counted lost (not resent), and the recovery line reports them', async () => {
  const a = await node();
  const b = await node();
  const onB = await member(b, 'crash');

  redis.pause();
  for (let i = 0; i < 20; i++) a.helper.send({ destination: 'crash', payload: { topic: 'inflight', data: i } });
  await handlersRun();
  expect(a.helper.getStats().publishBuffered).toBe(20);
  // Killed while paused: Redis never read them, so their fate is exactly "lost".
  await redis.kill();
  await logs.until(entry => isDropWarning(entry) && entry.message.includes('connection closed'));
  await handlersRun();
  const stats = a.helper.getStats();
  expect(stats.publishDroppedLost).toBe(20);
  expect(stats.publishFailed).toBe(20);
  expect(stats.publishBuffered).toBe(0);

  await redis.restart();
  let resumed = false;
  for (let attempt = 0; !resumed && attempt < 30; attempt++) {
    a.helper.send({ destination: 'crash', payload: { topic: 'probe', data: attempt } });
    resumed = await onB.next('probe', f => f.data === attempt, 500).then(
      () => true,
      () => false,
    );
  }
  expect(resumed).toBe(true);
  const recovery = await logs.until(isRecovery);
  expect(recovery.message).toContain('lost 20)');
  // Not resent after the reconnect: they were counted lost, so they must not arrive as well.
  expect(onB.all('inflight')).toEqual([]);
}, 30_000);

test('shutdown with Redis paused returns before Redis is resumed; a publish still in flight is rejected as lost', async () => {
  const n = await node();
  const e = await emitter({ publishTimeout: 60_000 });
  const client = await TestClient.connect(n.url);

  redis.pause();
  try {
    const inflight = e.toRoom({ room: 'gone', event: 'late', data: 1 });
    n.helper.send({ payload: { topic: 'late', data: 1 } });
    const stopped = Promise.all([n.helper.shutdown(), e.shutdown()]).then(() => 'returned' as const);
    // Generous: the bound is broker.closeTimeout (2 s by default); without it shutdown waits for Redis.
    const guard = new Promise<'still waiting'>(resolve => setTimeout(() => resolve('still waiting'), 15_000));
    expect(await Promise.race([stopped, guard])).toBe('returned');
    const [result] = await Promise.allSettled([inflight]);
    expect(outcome(result!)).toBe(WebSocketPublishErrorCodes.LOST);
    expect((await client.closed).code).toBe(1001);
  } finally {
    redis.resume();
  }
}, 30_000);
