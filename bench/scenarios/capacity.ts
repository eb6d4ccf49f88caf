/**
 * Capacity (issue 13): as many authenticated clients as one node's open-file limit allows (19,500
 * by default), each sending the protocol heartbeat every 20 s, held on one node. RSS per
 * connection after connecting and after the hold (full GC both times), idle server CPU per
 * 1,000 clients during the hold, and clients closed meanwhile. Raw and ours (in-memory) only.
 */
import { runLoad } from '../lib/child';
import type { IConnectResult, IHoldResult } from '../load/phases';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { startTarget, type TTargetName } from './targets';

const CAPACITY_TARGETS: TTargetName[] = ['raw', 'ours-memory'];
/** Every client's heartbeat period (the server closes clients silent for 90 s). */
const HEARTBEAT_MS = 20_000;

/** The result line of `load/capacity.ts`. */
interface ICapacityLoadResult {
  connect: IConnectResult;
  hold: IHoldResult;
}

/** Runs the capacity measure with `count` clients on raw and ours-memory. */
export const runCapacity = (ctx: IScenarioContext, count: number): Promise<void> =>
  eachRun(ctx, 'capacity', CAPACITY_TARGETS.filter(name => ctx.available.includes(name)), async (name, label) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort });
    try {
      const input = {
        url: target.wsUrl,
        base: target.base,
        pid: target.pid,
        count,
        window: c.connectWindow,
        timeoutMs: c.handshakeTimeoutSeconds * 1000,
        holdSeconds: c.capacityHoldSeconds,
        heartbeatMs: HEARTBEAT_MS,
      };
      const timeoutMs = c.stepTimeoutSeconds * 3000 + c.capacityHoldSeconds * 1000;
      const r = (await runLoad(`load-cap-${name}`, loadScript('capacity.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as ICapacityLoadResult;
      const s = ctx.store;
      s.add('cap_connect_rate', name, r.connect.connectRate);
      s.add('cap_kib_per_conn', name, r.connect.kibPerConn);
      s.add('cap_kib_per_conn_held', name, r.hold.kibPerConnHeld);
      s.add('cap_idle_cpu_1k', name, r.hold.idleCpuMsPerSecPer1k);
      s.add('cap_dropped', name, r.hold.dropped);
      s.loadCores(['cap_connect_rate'], name, r.connect.loadCores);
      s.detail(`capacity/${name}`, r);
      if (r.connect.failed) s.note(`${label}: ${r.connect.failed} of ${count} clients failed to connect`);
      if (r.hold.dropped) s.note(`${label}: ${r.hold.dropped} of ${r.connect.connected} clients were closed during the ${fmt(r.hold.seconds)} s hold`);
      return `${fmt(r.connect.connected)} connected at ${fmt(r.connect.connectRate)} conn/s, ${fmt(r.connect.kibPerConn, 2)} KiB/conn, after ${fmt(r.hold.seconds)} s ${fmt(r.hold.kibPerConnHeld, 2)} KiB/conn, idle ${fmt(r.hold.idleCpuMsPerSecPer1k, 3)} ms CPU/s per 1k, ${r.hold.dropped} dropped, ${fmt(r.hold.heartbeats)} heartbeats`;
    } finally {
      await target.stop();
    }
  });
