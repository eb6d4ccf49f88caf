/**
 * The measured steps every load generator is built from: connect, join, warm-up, burst, paced.
 * The clients live in worker processes (`LoadShards`); these steps drive the target's HTTP
 * routes from the coordinator and merge what the workers saw.
 */
import { BenchRoutes, seqMarker } from '../lib/protocol';
import { sleep } from '../lib/net';
import type { LoadShards } from './shards';
import { post, progress, roomSize, cpuDelta, sampleServerCpu, settledSample, type ICpuSample } from './io';

/** Connect measure: rate, and the server's memory and CPU per authenticated connection. */
export interface IConnectResult {
  connected: number;
  failed: number;
  connectRate: number;
  kibPerConn: number;
  cpuMsPerConn: number;
  /** The same from /proc ticks (10 ms resolution), for comparison. */
  cpuMsPerConnTicks: number;
  /** CPU per connection when the whole forced full GC after connecting is charged to the connections (the method before issue 13). */
  cpuMsPerConnWithFullGc: number;
  /** Server CPU ms of the forced full GC (plus its two bench requests) just before and just after connecting. */
  fullGcMs: { before: number; after: number };
  /** Where `cpuMsPerConn` came from. */
  cpuSource: ICpuSample['source'];
  /** Cores the busiest load worker used while connecting (≥ 0.9: load-generator bound). */
  loadCores: number;
  /** Cores all load workers used together while connecting. */
  loadCoresTotal: number;
  /** Load worker processes holding the clients. */
  loadProcs: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
}

/**
 * Connects the shards' clients to the node at `base` (process `pid`) and measures the connect cost.
 *
 * CPU per connection is the server's CPU from the first handshake to the last `connected`, plus
 * what the full GC after connecting cost beyond an identical full GC just before: the RSS
 * reading needs a forced full collection, and that marks the whole heap — for an Ignis app about
 * 30 MB that no connection owns (raw Bun: under 1 MB). Charging all of it to the connections
 * measured the app's size, not the connections; the difference of the two collections is the
 * part the connections cause (their live objects to mark, their garbage to sweep). The
 * uncorrected figure stays in `cpuMsPerConnWithFullGc`.
 */
export const connectPhase = async (base: string, pid: number, shards: LoadShards): Promise<IConnectResult> => {
  const settled = await settledSample(base, pid);
  const before = await settledSample(base, pid);
  const outcome = await shards.connect(progress('connect', shards.count));
  if (outcome.connected === 0) throw new Error(`connect: none of ${shards.count} clients authenticated`);
  const connectedCpu = await sampleServerCpu(base, pid);
  const after = await settledSample(base, pid);
  const n = Math.max(outcome.connected, 1);
  const gcBefore = cpuDelta(settled, before);
  const gcAfter = cpuDelta(connectedCpu, after);
  const connecting = cpuDelta(before, connectedCpu);
  const withFullGc = cpuDelta(before, after);
  return {
    connected: outcome.connected,
    failed: outcome.failed,
    connectRate: (outcome.connected * 1000) / outcome.elapsedMs,
    kibPerConn: (after.rssKiB - before.rssKiB) / n,
    cpuMsPerConn: (connecting.ms + Math.max(gcAfter.ms - gcBefore.ms, 0)) / n,
    cpuMsPerConnTicks: (connecting.ticksMs + Math.max(gcAfter.ticksMs - gcBefore.ticksMs, 0)) / n,
    cpuMsPerConnWithFullGc: withFullGc.ms / n,
    fullGcMs: { before: gcBefore.ms, after: gcAfter.ms },
    cpuSource: withFullGc.source,
    loadCores: outcome.loadCores,
    loadCoresTotal: outcome.loadCoresTotal,
    loadProcs: shards.procs,
    rssBeforeKiB: before.rssKiB,
    rssAfterKiB: after.rssKiB,
  };
};

const JOIN_POLL_MS = 10;

/** Sends `join` on every client and waits until the node reports all of them in the room. */
export const joinPhase = async (shards: LoadShards, base: string, room: string, timeoutMs: number): Promise<number> => {
  const start = performance.now();
  await shards.join([room]);
  const deadline = Date.now() + timeoutMs;
  const report = progress('join', shards.members);
  for (;;) {
    const size = await roomSize(base, room);
    report(size);
    if (size >= shards.members) return performance.now() - start;
    if (Date.now() > deadline) throw new Error(`join: ${size}/${shards.members} in room after ${timeoutMs} ms`);
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
 * member (cross-node: the room subscription is live). Warms the JIT on the way. With `bySeq`
 * false (encrypted frames hide the seq) every probe waits up to a second and counts the frames
 * the shards match by default.
 */
export const warmUp = async (
  shards: LoadShards,
  opts: { sendBase: string; room: string; via: string; bySeq: boolean },
): Promise<IWarmUp> => {
  const start = performance.now();
  const members = shards.members;
  let firstReached = -1;
  for (let probe = 0; probe < PROBE_LIMIT; probe++) {
    const seq = PROBE_SEQ0 + probe;
    await (opts.bySeq ? shards.start(1, seqMarker(seq)) : shards.start(1));
    const sentAt = performance.now() - start;
    await post(opts.sendBase, BenchRoutes.BURST, { room: opts.room, count: 1, via: opts.via, seq0: seq });
    const outcome = await shards.wait(opts.bySeq ? PROBE_WAIT_MS : 1000);
    if (firstReached < 0) firstReached = outcome.received;
    if (outcome.received === members) return { joinLagMs: sentAt, probes: probe + 1, firstReached, members };
  }
  throw new Error(`warm-up: no probe reached every member of ${opts.room}`);
};

/** Full GC in the given targets and in the load processes, so no phase pays for the previous one's garbage. */
const settle = async (bases: string[], shards: LoadShards): Promise<void> => {
  await Promise.all([...[...new Set(bases)].map(base => post(base, BenchRoutes.GC)), shards.gc()]);
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
  /** Cores the busiest load worker used from the send until the last frame (≥ 0.9: load-generator bound). */
  loadCores: number;
  /** Cores all load workers used together in that time. */
  loadCoresTotal: number;
}

/** One burst (`paced` = 0) or paced stream of `count` messages to `room`, sent via `sendBase`. */
export const fanoutPhase = async (
  shards: LoadShards,
  opts: {
    sendBase: string;
    room: string;
    via: string;
    count: number;
    rate?: number;
    cpuPid: number;
    /** Bench base URL of `cpuPid`'s node, to read its own `process.cpuUsage()`. */
    cpuBase: string;
    /** Nodes to garbage-collect before the phase (sender and deliverer). */
    settleBases: string[];
    timeoutMs: number;
  },
): Promise<IFanoutResult> => {
  const expected = opts.count * shards.members;
  await settle(opts.settleBases, shards);
  const cpuBefore = await sampleServerCpu(opts.cpuBase, opts.cpuPid);
  await shards.start(opts.count);
  const route = opts.rate ? BenchRoutes.PACED : BenchRoutes.BURST;
  await post(opts.sendBase, route, { room: opts.room, count: opts.count, via: opts.via, rate: opts.rate ?? 0 });
  const report = progress(opts.rate ? 'paced' : 'burst', expected);
  const unwatch = shards.watch(status => report(status.received));
  const outcome = await shards.wait(opts.timeoutMs).finally(unwatch);
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
    loadCores: outcome.loadCores,
    loadCoresTotal: outcome.loadCoresTotal,
  };
};

/** An idle hold of connected (heartbeating) clients: what the server spends and keeps. */
export interface IHoldResult {
  seconds: number;
  /** Server CPU ms per second of hold per 1,000 connected clients. */
  idleCpuMsPerSecPer1k: number;
  /** The same from /proc ticks (10 ms resolution), for comparison. */
  idleCpuMsPerSecPer1kTicks: number;
  cpuSource: ICpuSample['source'];
  /** Clients closed after authenticating during the hold (by the server or the network). */
  dropped: number;
  /** Heartbeat frames the clients sent during the hold. */
  heartbeats: number;
  /** Server RSS after a full GC at the end of the hold. */
  rssHeldKiB: number;
  /** (`rssHeldKiB` − RSS before connecting) per connected client. */
  kibPerConnHeld: number;
}

const HOLD_REPORT_MS = 1000;

/** Holds the shards' clients on the node for `seconds` doing nothing but their heartbeats; reads its CPU around the hold and its RSS (GC'd) after. */
export const holdPhase = async (base: string, pid: number, shards: LoadShards, connect: IConnectResult, seconds: number): Promise<IHoldResult> => {
  const cpuBefore = await sampleServerCpu(base, pid);
  const before = await shards.status();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const report = progress('hold', seconds);
  for (let now = started; now < deadline; now = performance.now()) {
    await sleep(Math.min(HOLD_REPORT_MS, deadline - now));
    report(Math.round((performance.now() - started) / 1000));
  }
  const cpuAfter = await sampleServerCpu(base, pid);
  const heldSeconds = (performance.now() - started) / 1000;
  const after = await shards.status();
  const held = await settledSample(base, pid);
  const cpu = cpuDelta(cpuBefore, cpuAfter);
  const per1kPerSec = (ms: number): number => ms / heldSeconds / (Math.max(connect.connected, 1) / 1000);
  return {
    seconds: heldSeconds,
    idleCpuMsPerSecPer1k: per1kPerSec(cpu.ms),
    idleCpuMsPerSecPer1kTicks: per1kPerSec(cpu.ticksMs),
    cpuSource: cpu.source,
    dropped: after.dropped - before.dropped,
    heartbeats: after.heartbeats - before.heartbeats,
    rssHeldKiB: held.rssKiB,
    kibPerConnHeld: (held.rssKiB - connect.rssBeforeKiB) / Math.max(connect.connected, 1),
  };
};
