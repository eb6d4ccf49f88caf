/**
 * Issue 12 measures (scenario `state`, ours only):
 * - recovery: N clients of node A (ours-redis, one room with history) lose A, `missed` messages
 *   are sent via B, then all reconnect to B at once with `since`; time until all recovered and
 *   Redis commands per recovered client;
 * - history on vs off: single-node burst through `send()` (history needs the room-wide send);
 * - presence on vs off: RSS and CPU per connection over connect + join.
 */
import { runLoad } from '../lib/child';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { noteLoss, singleNodeFanoutInput, type IFanoutLoadResult } from './single';
import { startNodes, startTarget, stopAll, type IRunningTarget, type TTargetName } from './targets';

const ROOM = 'bench-state';
const MISSED = 100;

const oursRedis = (ctx: IScenarioContext): TTargetName[] => (ctx.available.includes('ours-redis') ? ['ours-redis'] : []);

interface IReconnectResult {
  members: number;
  recovered: number;
  notRecovered: number;
  allRecoveredMs: number;
  streamReadsPerClient: number;
  commandsPerClient: number;
  perClient: Record<string, number>;
}

/** 2,000 clients reconnect at once after their node went away. */
const runReconnect = (ctx: IScenarioContext): Promise<void> =>
  eachRun(ctx, 'state-reconnect', oursRedis(ctx), async (name, label) => {
    const c = ctx.config;
    const nodes = await startNodes(name, 2, { redisPort: ctx.redisPort, history: true });
    const [a, b] = nodes as [IRunningTarget, IRunningTarget];
    try {
      const input = {
        mode: 'reconnect',
        url: a.wsUrl,
        base: a.base,
        pid: a.pid,
        urlB: b.wsUrl,
        baseB: b.base,
        redisPort: ctx.redisPort,
        room: ROOM,
        count: c.fanoutClients,
        window: c.connectWindow,
        missed: MISSED,
        stepTimeoutMs: c.stepTimeoutSeconds * 1000,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
      };
      const onProgress = (line: Parameters<IScenarioContext['progress']>[1]): void => {
        if (line.phase === 'kill') void a.stop();
        else ctx.progress(label, line);
      };
      const r = (await runLoad(`load-state-reconnect`, loadScript('state.ts'), input, onProgress, c.stepTimeoutSeconds * 6000)) as unknown as IReconnectResult;
      ctx.store.add('state_recover_ms', name, r.allRecoveredMs);
      ctx.store.add('state_recover_stream_reads', name, r.streamReadsPerClient);
      ctx.store.add('state_recover_commands', name, r.commandsPerClient);
      ctx.store.detail(`state-reconnect/${name}`, r);
      if (r.notRecovered) ctx.store.note(`${label}: ${r.notRecovered} of ${r.members} clients not recovered`);
      const top = Object.entries(r.perClient).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', ');
      return `${r.recovered}/${r.members} recovered ${MISSED} msgs in ${fmt(r.allRecoveredMs)} ms; Redis per client: ${top}`;
    } finally {
      await stopAll(nodes);
    }
  });

/** Single-node burst via `send()` with history off or on. */
const runHistoryFanout = (ctx: IScenarioContext, history: boolean): Promise<void> =>
  eachRun(ctx, `state-history-${history ? 'on' : 'off'}`, oursRedis(ctx), async (name, label) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort, history });
    try {
      const input = singleNodeFanoutInput(ctx, target, { room: ROOM, via: 'send', pacedCount: 0 });
      const r = (await runLoad(`load-state-history`, loadScript('fanout.ts'), input, l => ctx.progress(label, l), c.stepTimeoutSeconds * 6000)) as unknown as IFanoutLoadResult;
      const suffix = history ? 'on' : 'off';
      ctx.store.add(`state_hist_${suffix}_rate`, name, r.burst.deliveriesPerSec);
      ctx.store.add(`state_hist_${suffix}_cpu_1k`, name, r.burst.cpuMsPer1kDeliveries);
      ctx.store.add(`state_hist_${suffix}_p99`, name, r.burst.p99Ms);
      ctx.store.loadCores([`state_hist_${suffix}_rate`, `state_hist_${suffix}_p99`], name, r.burst.loadCores);
      ctx.store.detail(`state-history-${suffix}/${name}`, r);
      noteLoss(ctx, label, r.burst);
      return `burst ${fmt(r.burst.deliveriesPerSec)}/s, ${fmt(r.burst.cpuMsPer1kDeliveries, 2)} ms CPU/1k, p99 ${fmt(r.burst.p99Ms)} ms`;
    } finally {
      await target.stop();
    }
  });

interface IPresenceResult {
  connected: number;
  failed: number;
  kibPerConn: number;
  cpuMsPerConn: number;
}

/** Connect + join cost per connection with presence off or on. */
const runPresence = (ctx: IScenarioContext, presence: boolean): Promise<void> =>
  eachRun(ctx, `state-presence-${presence ? 'on' : 'off'}`, oursRedis(ctx), async (name, label) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort, presence });
    try {
      const input = {
        mode: 'presence',
        url: target.wsUrl,
        base: target.base,
        pid: target.pid,
        room: ROOM,
        count: c.fanoutClients,
        window: c.connectWindow,
        stepTimeoutMs: c.stepTimeoutSeconds * 1000,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
      };
      const r = (await runLoad(`load-state-presence`, loadScript('state.ts'), input, l => ctx.progress(label, l), c.stepTimeoutSeconds * 4000)) as unknown as IPresenceResult;
      const suffix = presence ? 'on' : 'off';
      ctx.store.add(`state_presence_${suffix}_kib`, name, r.kibPerConn);
      ctx.store.add(`state_presence_${suffix}_cpu`, name, r.cpuMsPerConn);
      if (r.failed) ctx.store.note(`${label}: ${r.failed} clients failed to connect`);
      return `${r.connected} joined, ${fmt(r.kibPerConn, 2)} KiB/conn, ${fmt(r.cpuMsPerConn, 3)} ms CPU/conn`;
    } finally {
      await target.stop();
    }
  });

/** Runs the three issue-12 measures on ours-redis. */
export const runClusterState = async (ctx: IScenarioContext): Promise<void> => {
  if (!ctx.available.includes('ours-redis')) {
    ctx.store.note('state: ours-redis not available, skipped');
    return;
  }
  await runReconnect(ctx);
  await runHistoryFanout(ctx, false);
  await runHistoryFanout(ctx, true);
  await runPresence(ctx, false);
  await runPresence(ctx, true);
};
