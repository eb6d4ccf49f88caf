/**
 * Single node: connect + authenticate N clients, join a room, one burst, one paced stream.
 * Also the large connect measure (connect only, N = bigConnect).
 */
import { runLoad } from '../lib/child';
import { commandDelta, quietCommandStats, sumCalls } from '../lib/redis';
import type { IConnectResult, IFanoutResult, IWarmUp } from '../load/phases';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { REDIS_TARGETS, startTarget, type TTargetName } from './targets';

/** The result line of `load/fanout.ts`. */
export interface IFanoutLoadResult {
  connect: IConnectResult;
  joinMs: number;
  warm: IWarmUp;
  burst: IFanoutResult;
  paced?: IFanoutResult;
  dropped: number;
}

const ROOM = 'bench-room';

/** Checks that every expected frame arrived; notes a loss otherwise. */
export const noteLoss = (ctx: IScenarioContext, label: string, phase: IFanoutResult | undefined): void => {
  if (phase && phase.received < phase.expected) ctx.store.note(`${label}: only ${phase.received} of ${phase.expected} deliveries arrived`);
};

/** Runs the single-node fan-out scenario on every available target. */
/** What the fan-out load generator needs for one node that both hosts the clients and sends. */
export const singleNodeFanoutInput = (
  ctx: IScenarioContext,
  target: { wsUrl: string; base: string; pid: number },
  opts: { room: string; via: 'local' | 'send'; pacedCount: number },
) => {
  const c = ctx.config;
  return {
    url: target.wsUrl,
    clientBase: target.base,
    clientPid: target.pid,
    sendBase: target.base,
    room: opts.room,
    count: c.fanoutClients,
    window: c.connectWindow,
    burstCount: c.burstCount,
    pacedRate: c.pacedRate,
    pacedCount: opts.pacedCount,
    via: opts.via,
    encrypted: false,
    stepTimeoutMs: c.stepTimeoutSeconds * 1000,
    handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
  };
};

export const runSingle = (ctx: IScenarioContext): Promise<void> =>
  eachRun(ctx, 'single', ctx.available, async (name: TTargetName, label: string) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort });
    try {
      const input = singleNodeFanoutInput(ctx, target, { room: ROOM, via: 'local', pacedCount: Math.round(c.pacedRate * c.pacedSeconds) });
      const timeoutMs = (c.stepTimeoutSeconds * 6 + c.pacedSeconds) * 1000;
      const r = (await runLoad(`load-${name}`, loadScript('fanout.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as IFanoutLoadResult;
      const s = ctx.store;
      s.add('connect_rate', name, r.connect.connectRate);
      s.add('kib_per_conn', name, r.connect.kibPerConn);
      s.add('cpu_per_conn', name, r.connect.cpuMsPerConn);
      s.add('join_ms', name, r.joinMs);
      s.add('burst_rate', name, r.burst.deliveriesPerSec);
      s.add('burst_p50', name, r.burst.p50Ms);
      s.add('burst_p99', name, r.burst.p99Ms);
      s.add('burst_cpu_1k', name, r.burst.cpuMsPer1kDeliveries);
      s.add('paced_p50', name, r.paced?.p50Ms);
      s.add('paced_p99', name, r.paced?.p99Ms);
      s.loadCores(['connect_rate'], name, r.connect.loadCores);
      s.loadCores(['burst_rate', 'burst_p50', 'burst_p99'], name, r.burst.loadCores);
      s.loadCores(['paced_p50', 'paced_p99'], name, r.paced?.loadCores);
      s.detail(`single/${name}`, r);
      noteLoss(ctx, label, r.burst);
      noteLoss(ctx, label, r.paced);
      if (r.connect.failed) ctx.store.note(`${label}: ${r.connect.failed} clients failed to connect`);
      return `${fmt(r.connect.connectRate)} conn/s, ${fmt(r.connect.kibPerConn)} KiB/conn, burst ${fmt(r.burst.deliveriesPerSec)}/s p99 ${fmt(r.burst.p99Ms)} ms, paced p99 ${fmt(r.paced?.p99Ms)} ms`;
    } finally {
      await target.stop();
    }
  });

const SUBSCRIBE_COMMANDS = ['subscribe', 'ssubscribe'];

/**
 * Runs the large connect measure on every available target; for a Redis-bound target also the
 * Redis commands per connection (`INFO commandstats` from before the load until Redis is quiet
 * after it, so the clients' closes count too) and the SUBSCRIBE/SSUBSCRIBE calls alone.
 */
export const runBigConnect = (ctx: IScenarioContext, count: number): Promise<void> =>
  eachRun(ctx, 'connect', ctx.available, async (name: TTargetName, label: string) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort });
    try {
      const input = { url: target.wsUrl, base: target.base, pid: target.pid, count, window: c.connectWindow, timeoutMs: c.handshakeTimeoutSeconds * 1000 };
      const timeoutMs = c.stepTimeoutSeconds * 3000;
      const redisBefore = REDIS_TARGETS.includes(name) ? await quietCommandStats(ctx.redisPort) : undefined;
      const r = (await runLoad(`load-${name}`, loadScript('connect.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as { connect: IConnectResult };
      ctx.store.add('big_connect_rate', name, r.connect.connectRate);
      ctx.store.add('big_kib_per_conn', name, r.connect.kibPerConn);
      ctx.store.add('big_cpu_per_conn', name, r.connect.cpuMsPerConn);
      ctx.store.loadCores(['big_connect_rate'], name, r.connect.loadCores);
      if (r.connect.failed) ctx.store.note(`${label}: ${r.connect.failed} of ${count} clients failed to connect`);
      const summary = `${fmt(r.connect.connected)} connected, ${fmt(r.connect.connectRate)} conn/s, ${fmt(r.connect.kibPerConn)} KiB/conn`;
      if (!redisBefore) return summary;
      const calls = commandDelta(redisBefore, await quietCommandStats(ctx.redisPort));
      const connected = Math.max(r.connect.connected, 1);
      const perConn = sumCalls(calls) / connected;
      ctx.store.add('redis_cmds_per_conn', name, perConn);
      ctx.store.add('redis_subscribes_per_conn', name, sumCalls(calls, SUBSCRIBE_COMMANDS) / connected);
      ctx.store.detail(`connect-redis/${name}`, { connected: r.connect.connected, calls });
      return `${summary}, ${fmt(perConn, 3)} Redis commands per connection (connect + close)`;
    } finally {
      await target.stop();
    }
  });
