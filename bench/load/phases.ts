/** The measured steps every load generator is built from: connect, join, warm-up, burst, paced. */
import { BenchRoutes, seqMarker } from '../lib/protocol';
import { sleep } from '../lib/net';
import { ClientPool, type IPoolOptions } from './pool';
import { DeliverySink } from './sink';
import { post, progress, roomSize, cpuDelta, sampleServerCpu, settledSample, startLoadMeter, type ICpuSample } from './io';

/** Connect measure: rate, and the server's memory and CPU per authenticated connection. */
export interface IConnectResult {
  connected: number;
  failed: number;
  connectRate: number;
  kibPerConn: number;
  cpuMsPerConn: number;
  /** The same from /proc ticks (10 ms resolution), for comparison. */
  cpuMsPerConnTicks: number;
  /** Where `cpuMsPerConn` came from. */
  cpuSource: ICpuSample['source'];
  /** Cores this load process used while connecting (≥ 0.9: load-generator bound). */
  loadCores: number;
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
  const meter = startLoadMeter();
  const outcome = await pool.connect();
  const loadCores = meter.stop();
  if (outcome.connected === 0) throw new Error(`connect: none of ${opts.count} clients authenticated`);
  const after = await settledSample(base, pid);
  const n = Math.max(outcome.connected, 1);
  const cpu = cpuDelta(before, after);
  return {
    pool,
    result: {
      connected: outcome.connected,
      failed: outcome.failed,
      connectRate: (outcome.connected * 1000) / outcome.elapsedMs,
      kibPerConn: (after.rssKiB - before.rssKiB) / n,
      cpuMsPerConn: cpu.ms / n,
      cpuMsPerConnTicks: cpu.ticksMs / n,
      cpuSource: cpu.source,
      loadCores,
      rssBeforeKiB: before.rssKiB,
      rssAfterKiB: after.rssKiB,
    },
  };
};

const JOIN_POLL_MS = 10;

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
    await sleep(JOIN_POLL_MS);
  }
};

/** How the warm-up went: how long after the joins a message sent through `sendBase` reached every member. */
export interface IWarmUp {
  /** ms from the first probe to the send of the first probe that reached every member. */
  joinLagMs: number;
  probes: number;
  /** Members the first probe reached. */
  firstReached: number;
  members: number;
}

const PROBE_WAIT_MS = 50;
const PROBE_LIMIT = 200;
const PROBE_SEQ0 = 1_000_000;

/**
 * Right after the joins, sends one uniquely numbered probe every ~50 ms until one reaches every
 * member (cross-node: the room subscription is live). Warms the JIT on the way. `match` is what
 * the sink counts afterwards; with `bySeq` false (encrypted frames hide the seq) every probe
 * waits up to a second and counts `match` frames.
 */
export const warmUp = async (
  sink: DeliverySink,
  opts: { sendBase: string; room: string; via: string; members: number; match: string; bySeq: boolean },
): Promise<IWarmUp> => {
  const start = performance.now();
  let firstReached = -1;
  for (let probe = 0; probe < PROBE_LIMIT; probe++) {
    const seq = PROBE_SEQ0 + probe;
    sink.retarget(opts.bySeq ? seqMarker(seq) : opts.match);
    sink.start(opts.members);
    const sentAt = performance.now() - start;
    await post(opts.sendBase, BenchRoutes.BURST, { room: opts.room, count: 1, via: opts.via, seq0: seq });
    const outcome = await sink.wait(opts.bySeq ? PROBE_WAIT_MS : 1000);
    if (firstReached < 0) firstReached = outcome.received;
    if (outcome.received === opts.members) {
      sink.retarget(opts.match);
      return { joinLagMs: sentAt, probes: probe + 1, firstReached, members: opts.members };
    }
  }
  throw new Error(`warm-up: no probe reached every member of ${opts.room}`);
};

/** Full GC in the given targets and in this process, so no phase pays for the previous one's garbage. */
const settle = async (bases: string[]): Promise<void> => {
  await Promise.all([...new Set(bases)].map(base => post(base, BenchRoutes.GC)));
  Bun.gc(true);
};

/** A fan-out measure: deliveries/s, latency percentiles, server CPU per 1000 deliveries. */
export interface IFanoutResult {
  received: number;
  expected: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPer1kDeliveries: number;
  /** The same from /proc ticks (10 ms resolution), for comparison. */
  cpuMsPer1kDeliveriesTicks: number;
  cpuSource: ICpuSample['source'];
  /** Cores this load process used from the send until the last frame (≥ 0.9: load-generator bound). */
  loadCores: number;
}

/** One burst (`paced` = 0) or paced stream of `count` messages to `room`, sent via `sendBase`. */
export const fanoutPhase = async (
  sink: DeliverySink,
  opts: {
    sendBase: string;
    room: string;
    via: string;
    count: number;
    members: number;
    rate?: number;
    cpuPid: number;
    /** Bench base URL of `cpuPid`'s node, to read its own `process.cpuUsage()`. */
    cpuBase: string;
    /** Nodes to garbage-collect before the phase (sender and deliverer). */
    settleBases: string[];
    timeoutMs: number;
  },
): Promise<IFanoutResult> => {
  const expected = opts.count * opts.members;
  await settle(opts.settleBases);
  const cpuBefore = await sampleServerCpu(opts.cpuBase, opts.cpuPid);
  const meter = startLoadMeter();
  sink.start(expected);
  const route = opts.rate ? BenchRoutes.PACED : BenchRoutes.BURST;
  await post(opts.sendBase, route, { room: opts.room, count: opts.count, via: opts.via, rate: opts.rate ?? 0 });
  const report = progress(opts.rate ? 'paced' : 'burst', expected);
  const ticker = setInterval(() => report(sink.count()), 500);
  const outcome = await sink.wait(opts.timeoutMs);
  clearInterval(ticker);
  const loadCores = meter.stop();
  const cpuAfter = await sampleServerCpu(opts.cpuBase, opts.cpuPid);
  const per1k = (ms: number): number => (ms * 1000) / Math.max(outcome.received, 1);
  const cpu = cpuDelta(cpuBefore, cpuAfter);
  return {
    received: outcome.received,
    expected,
    deliveriesPerSec: (outcome.received * 1000) / outcome.elapsedMs,
    p50Ms: outcome.p50Ms,
    p99Ms: outcome.p99Ms,
    cpuMsPer1kDeliveries: per1k(cpu.ms),
    cpuMsPer1kDeliveriesTicks: per1k(cpu.ticksMs),
    cpuSource: cpu.source,
    loadCores,
  };
};
