/** What every scenario gets from the harness, and the loop that runs repeats × targets. */
import { join } from 'node:path';
import type { IBenchConfig } from '../lib/config';
import type { ILoadLine } from '../lib/child';
import { startForeignMeter } from '../lib/proc';
import type { ResultStore } from './store';
import type { TTargetName } from './targets';

/** Shared state of one harness run. */
export interface IScenarioContext {
  config: IBenchConfig;
  redisPort: number;
  /** Long-lived processes of the benchmark that are not children being reaped (redis-server). */
  helperPids: number[];
  /** Targets that can run (ours only when src/index.ts exports the component). */
  available: TTargetName[];
  store: ResultStore;
  log(text: string): void;
  progress(label: string, line: ILoadLine): void;
  /** Seconds since the harness started. */
  elapsed(): number;
}

/** Path of a load generator script. */
export const loadScript = (name: string): string => join(import.meta.dir, '..', 'load', name);

/** Formats a number for progress lines. */
export const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);

/**
 * One run, repeated while other processes on the machine used more than the configured share
 * of CPU during it — as long as retries remain and the first half of the budget is not spent.
 */
const measuredRun = async (
  ctx: IScenarioContext,
  ids: { scenario: string; target: TTargetName; repeat: number; label: string },
  run: () => Promise<string>,
): Promise<void> => {
  const c = ctx.config;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const meter = startForeignMeter(ctx.helperPids);
    ctx.store.begin();
    let summary: string;
    try {
      summary = await run();
    } catch (error) {
      ctx.store.commit();
      throw error;
    }
    const foreignCores = meter.stop();
    const seconds = (performance.now() - started) / 1000;
    const disturbed = foreignCores > c.foreignCoresLimit;
    if (disturbed && attempt <= c.disturbedRetries && ctx.elapsed() < c.budgetSeconds / 2) {
      ctx.store.discard();
      ctx.log(`${ids.label}: other processes used ${foreignCores.toFixed(2)} cores meanwhile; repeating (${summary})`);
      continue;
    }
    ctx.store.commit();
    ctx.store.data.runs.push({ scenario: ids.scenario, target: ids.target, repeat: ids.repeat, seconds, foreignCores, attempts: attempt });
    if (disturbed) ctx.store.note(`${ids.label}: kept although other processes used ${foreignCores.toFixed(2)} cores during it`);
    ctx.log(`${ids.label}: ${summary} (${seconds.toFixed(1)} s, foreign load ${foreignCores.toFixed(2)} cores)`);
    return;
  }
};

/**
 * Runs `run` for every repeat and target, interleaving targets within a repeat so slow drift of
 * the machine affects all alike. A failing run is noted and the rest go on.
 */
export const eachRun = async (
  ctx: IScenarioContext,
  scenario: string,
  targets: TTargetName[],
  run: (target: TTargetName, label: string) => Promise<string>,
  repeats = ctx.config.repeats,
): Promise<void> => {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const target of targets) {
      const label = `${scenario} ${repeat}/${repeats} ${target}`;
      if (ctx.elapsed() > ctx.config.budgetSeconds) {
        ctx.store.note(`${scenario}: run ${repeat} of ${target} skipped, time budget spent`);
        continue;
      }
      try {
        await measuredRun(ctx, { scenario, target, repeat, label }, () => run(target, label));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.store.note(`${scenario} ${target} run ${repeat} failed: ${message}`);
        ctx.log(`${label}: FAILED ${message}`);
      }
    }
  }
};
