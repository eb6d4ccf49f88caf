/** The measured steps every load generator is built from: connect, join, warm-up, burst, paced. */
import { BenchRoutes } from '../lib/protocol';
import { sampleProc } from '../lib/proc';
import { sleep } from '../lib/net';
import { ClientPool, type IPoolOptions } from './pool';
import { DeliverySink } from './sink';
import { post, progress, roomSize, settledSample } from './io';

/** Connect measure: rate, and the server's memory and CPU per authenticated connection. */
export interface IConnectResult {
  connected: number;
  failed: number;
  connectRate: number;
  kibPerConn: number;
  cpuMsPerConn: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
}

/** Opens the pool against the node at `base` (process `pid`) and measures the connect cost. */
export const connectPhase = async (
  base: string,
  pid: number,
  opts: Omit<IPoolOptions, 'onProgress'>,
): Promise<{ pool: ClientPool; result: IConnectResult }> => {
  const before = await settledSample(base, pid);
  const pool = new ClientPool({ ...opts, onProgress: progress('connect', opts.count) });
  const outcome = await pool.connect();
  const after = await settledSample(base, pid);
  const n = Math.max(outcome.connected, 1);
  return {
    pool,
    result: {
      connected: outcome.connected,
      failed: outcome.failed,
      connectRate: (outcome.connected * 1000) / outcome.elapsedMs,
      kibPerConn: (after.rssKiB - before.rssKiB) / n,
      cpuMsPerConn: (after.cpuMs - before.cpuMs) / n,
      rssBeforeKiB: before.rssKiB,
      rssAfterKiB: after.rssKiB,
    },
  };
};

/** Sends `join` on every client and waits until the node reports all of them in the room. */
export const joinPhase = async (pool: ClientPool, base: string, room: string, timeoutMs: number): Promise<number> => {
  const start = performance.now();
  pool.join([room]);
  const deadline = Date.now() + timeoutMs;
  const report = progress('join', pool.sockets.length);
  for (;;) {
    const size = await roomSize(base, room);
    report(size);
    if (size >= pool.sockets.length) return performance.now() - start;
    if (Date.now() > deadline) throw new Error(`join: ${size}/${pool.sockets.length} in room after ${timeoutMs} ms`);
    await sleep(50);
  }
};

/** Sends single messages until every member receives one (subscriptions live, JIT warm). */
export const warmUp = async (sink: DeliverySink, sendBase: string, room: string, via: string, members: number): Promise<void> => {
  for (let attempt = 0; attempt < 10; attempt++) {
    sink.start(members);
    await post(sendBase, BenchRoutes.BURST, { room, count: 1, via });
    const outcome = await sink.wait(2000);
    if (outcome.received === members) return;
    await sleep(200);
  }
  throw new Error(`warm-up: not every member of ${room} receives messages`);
};

/** A fan-out measure: deliveries/s, latency percentiles, server CPU per 1000 deliveries. */
export interface IFanoutResult {
  received: number;
  expected: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPer1kDeliveries: number;
}

/** One burst (`paced` = 0) or paced stream of `count` messages to `room`, sent via `sendBase`. */
export const fanoutPhase = async (
  sink: DeliverySink,
  opts: { sendBase: string; room: string; via: string; count: number; members: number; rate?: number; cpuPid: number; timeoutMs: number },
): Promise<IFanoutResult> => {
  const expected = opts.count * opts.members;
  const cpuBefore = sampleProc(opts.cpuPid).cpuMs;
  sink.start(expected);
  const route = opts.rate ? BenchRoutes.PACED : BenchRoutes.BURST;
  await post(opts.sendBase, route, { room: opts.room, count: opts.count, via: opts.via, rate: opts.rate ?? 0 });
  const report = progress(opts.rate ? 'paced' : 'burst', expected);
  const ticker = setInterval(() => report(sink.count()), 500);
  const outcome = await sink.wait(opts.timeoutMs);
  clearInterval(ticker);
  const cpuAfter = sampleProc(opts.cpuPid).cpuMs;
  return {
    received: outcome.received,
    expected,
    deliveriesPerSec: (outcome.received * 1000) / outcome.elapsedMs,
    p50Ms: outcome.p50Ms,
    p99Ms: outcome.p99Ms,
    cpuMsPer1kDeliveries: ((cpuAfter - cpuBefore) * 1000) / Math.max(outcome.received, 1),
  };
};
