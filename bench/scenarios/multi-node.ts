/**
 * Several nodes on one Redis. Cross-node: clients on B, messages sent with A's `send()`, and the
 * Redis PUBLISH calls per message sent (`INFO commandstats`). Spread: three nodes, a room hosted
 * only on C, count the Redis messages each node receives.
 */
import { runLoad } from '../lib/child';
import { commandDelta, quietCommandStats, sumCalls } from '../lib/redis';
import type { IFanoutResult } from '../load/phases';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { noteLoss, type IFanoutLoadResult } from './single';
import { REDIS_TARGETS, startNodes, stopAll, type TTargetName } from './targets';

/** Commands that publish a message (sharded or not). */
const PUBLISH_COMMANDS = ['publish', 'spublish'];

const redisTargets = (ctx: IScenarioContext): TTargetName[] => REDIS_TARGETS.filter(name => ctx.available.includes(name));

/** Two nodes: the cross-instance path's throughput and latency. */
export const runCrossNode = (ctx: IScenarioContext): Promise<void> =>
  eachRun(ctx, 'cross-node', redisTargets(ctx), async (name, label) => {
    const c = ctx.config;
    const [a, b] = await startNodes(name, 2, { redisPort: ctx.redisPort });
    try {
      const input = {
        url: b!.wsUrl,
        clientBase: b!.base,
        clientPid: b!.pid,
        sendBase: a!.base,
        room: 'bench-cross',
        count: c.crossClients,
        window: c.connectWindow,
        burstCount: c.burstCount,
        pacedRate: c.pacedRate,
        pacedCount: Math.round(c.pacedRate * c.pacedSeconds),
        via: 'send',
        encrypted: false,
        stepTimeoutMs: c.stepTimeoutSeconds * 1000,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
      };
      const timeoutMs = (c.stepTimeoutSeconds * 6 + c.pacedSeconds) * 1000;
      const redisBefore = await quietCommandStats(ctx.redisPort);
      const r = (await runLoad(`load-cross-${name}`, loadScript('fanout.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as IFanoutLoadResult;
      const redisCalls = commandDelta(redisBefore, await quietCommandStats(ctx.redisPort));
      const sends = r.warm.probes + c.burstCount + (r.paced ? input.pacedCount : 0);
      const publishPerSend = sumCalls(redisCalls, PUBLISH_COMMANDS) / sends;
      ctx.store.add('cross_first_reached', name, (100 * r.warm.firstReached) / r.warm.members);
      ctx.store.add('cross_join_lag', name, r.warm.joinLagMs);
      ctx.store.add('cross_burst_rate', name, r.burst.deliveriesPerSec);
      ctx.store.add('cross_burst_p50', name, r.burst.p50Ms);
      ctx.store.add('cross_burst_p99', name, r.burst.p99Ms);
      ctx.store.add('cross_paced_p50', name, r.paced?.p50Ms);
      ctx.store.add('cross_paced_p99', name, r.paced?.p99Ms);
      ctx.store.add('redis_publish_per_send', name, publishPerSend);
      ctx.store.loadCores(['cross_burst_rate', 'cross_burst_p50', 'cross_burst_p99'], name, r.burst.loadCores);
      ctx.store.loadCores(['cross_paced_p50', 'cross_paced_p99'], name, r.paced?.loadCores);
      ctx.store.detail(`cross/${name}`, { ...r, sends, redisCalls });
      noteLoss(ctx, label, r.burst);
      noteLoss(ctx, label, r.paced);
      return `first send after join reached ${r.warm.firstReached}/${r.warm.members} (all after ${fmt(r.warm.joinLagMs)} ms), burst ${fmt(r.burst.deliveriesPerSec)}/s, paced p99 ${fmt(r.paced?.p99Ms)} ms, ${fmt(publishPerSend, 2)} Redis publishes per send`;
    } finally {
      await stopAll([a!, b!].filter(Boolean));
    }
  });

interface ISpreadResult {
  perNode: (number | null)[];
  helperPerNode: (number | null)[];
  burst: IFanoutResult;
  helperStats: unknown[];
}

/** Three nodes: how many Redis messages each receives when only C hosts the room. */
export const runSpread = (ctx: IScenarioContext): Promise<void> =>
  eachRun(ctx, 'three-node', redisTargets(ctx), async (name, label) => {
    const c = ctx.config;
    const nodes = await startNodes(name, 3, { redisPort: ctx.redisPort });
    const [a, , host] = nodes;
    try {
      const input = {
        url: host!.wsUrl,
        clientBase: host!.base,
        clientPid: host!.pid,
        sendBase: a!.base,
        statBases: nodes.map(node => node.base),
        room: 'bench-solo',
        count: c.spreadClients,
        window: c.connectWindow,
        messages: c.spreadMessages,
        stepTimeoutMs: c.stepTimeoutSeconds * 1000,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
      };
      const timeoutMs = c.stepTimeoutSeconds * 5000;
      const r = (await runLoad(`load-spread-${name}`, loadScript('spread.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as ISpreadResult;
      ['spread_a', 'spread_b', 'spread_c'].forEach((metric, i) => ctx.store.add(metric, name, r.perNode[i]));
      ctx.store.add('spread_delivered', name, (100 * r.burst.received) / r.burst.expected);
      ctx.store.detail(`spread/${name}`, r);
      r.helperPerNode.forEach((own, i) => {
        const probe = r.perNode[i];
        if (own === null || probe === null || probe === undefined) return;
        if (Math.abs(own - probe) > 0.01) ctx.store.note(`${label}: node ${'ABC'[i]} getStats().received per send ${own.toFixed(2)} differs from the Redis probe ${probe.toFixed(2)}`);
      });
      if (r.helperPerNode.some(v => v !== null)) ctx.store.note(`three-node ${name}: the helper's own getStats().received agrees with the Redis probe unless noted otherwise`);
      return `Redis msgs per send A/B/C = ${r.perNode.map(v => fmt(v ?? NaN, 2)).join('/')}, delivered ${r.burst.received}/${r.burst.expected}`;
    } finally {
      await stopAll(nodes);
    }
  });
