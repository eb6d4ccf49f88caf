/**
 * Feature cost (scenario `features`, ours-redis only): the single-node fan-out through `send()`
 * (burst and paced stream) with the features of other issues off, and with history and presence
 * configured for rooms the bench never joins (`--idle-features`). Both variants run in every
 * repeat, in alternating order, each in a fresh server process.
 */
import { runLoad } from '../lib/child';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { noteLoss, singleNodeFanoutInput, type IFanoutLoadResult } from './single';
import { startTarget, type TTargetName } from './targets';

const ROOM = 'bench-features';
const TARGET: TTargetName = 'ours-redis';

/** The two variants; `key` is the middle of their metric ids (`feat_off_rate`, `feat_idle_rate`). */
const VARIANTS = [
  { key: 'off', idleFeatures: false },
  { key: 'idle', idleFeatures: true },
] as const;
type TVariant = (typeof VARIANTS)[number];

/** One variant's fan-out in a fresh ours-redis node; returns its progress summary. */
const runVariant = async (ctx: IScenarioContext, variant: TVariant, label: string): Promise<string> => {
  const c = ctx.config;
  const target = await startTarget(TARGET, { redisPort: ctx.redisPort, idleFeatures: variant.idleFeatures });
  try {
    const input = singleNodeFanoutInput(ctx, target, { room: ROOM, via: 'send', pacedCount: Math.round(c.pacedRate * c.pacedSeconds) });
    const timeoutMs = (c.stepTimeoutSeconds * 6 + c.pacedSeconds) * 1000;
    const r = (await runLoad(`load-features-${variant.key}`, loadScript('fanout.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as IFanoutLoadResult;
    const id = (measure: string): string => `feat_${variant.key}_${measure}`;
    const s = ctx.store;
    s.add(id('rate'), TARGET, r.burst.deliveriesPerSec);
    s.add(id('cpu_1k'), TARGET, r.burst.cpuMsPer1kDeliveries);
    s.add(id('p50'), TARGET, r.burst.p50Ms);
    s.add(id('p99'), TARGET, r.burst.p99Ms);
    s.add(id('paced_p99'), TARGET, r.paced?.p99Ms);
    s.loadCores([id('rate'), id('p50'), id('p99')], TARGET, r.burst.loadCores);
    s.loadCores([id('paced_p99')], TARGET, r.paced?.loadCores);
    s.detail(`features-${variant.key}/${TARGET}`, r);
    noteLoss(ctx, `${label} ${variant.key}`, r.burst);
    noteLoss(ctx, `${label} ${variant.key}`, r.paced);
    return `${variant.key}: burst ${fmt(r.burst.deliveriesPerSec)}/s, ${fmt(r.burst.cpuMsPer1kDeliveries, 2)} ms CPU/1k, p99 ${fmt(r.burst.p99Ms)} ms, paced p99 ${fmt(r.paced?.p99Ms)} ms`;
  } finally {
    await target.stop();
  }
};

/** Runs both variants in every repeat (order alternating between repeats). */
export const runFeatures = (ctx: IScenarioContext): Promise<void> => {
  if (!ctx.available.includes(TARGET)) {
    ctx.store.note(`features: ${TARGET} not available, skipped`);
    return Promise.resolve();
  }
  let runs = 0;
  return eachRun(ctx, 'features', [TARGET], async (_name, label) => {
    const order = runs++ % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    const summaries: string[] = [];
    for (const variant of order) summaries.push(await runVariant(ctx, variant, label));
    return summaries.join('; ');
  }, ctx.config.featureRepeats);
};
