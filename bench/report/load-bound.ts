/** Which rows were load-generator bound: the busiest load worker used ≥ LOAD_BOUND_CORES during their phase. */
import { LOAD_BOUND_CORES, type IStoreData } from '../scenarios/store';
import type { TTargetName } from '../scenarios/targets';

/** metric id → target → the most cores the busiest load worker used in any kept run of that phase. */
export type TLoadCores = IStoreData['loadCores'];

/** Highest load-process cores per target for a metric (all targets that have a reading). */
export const maxLoadCores = (loadCores: TLoadCores, id: string): Partial<Record<TTargetName, number>> => {
  const out: Partial<Record<TTargetName, number>> = {};
  for (const [target, values] of Object.entries(loadCores?.[id] ?? {}) as [TTargetName, number[]][]) {
    if (values.length) out[target] = Math.max(...values);
  }
  return out;
};

/** Targets (with cores) whose busiest load worker was at or above the bound for a metric. */
export const boundTargets = (loadCores: TLoadCores, id: string): [TTargetName, number][] =>
  (Object.entries(maxLoadCores(loadCores, id)) as [TTargetName, number][]).filter(([, cores]) => cores >= LOAD_BOUND_CORES);

/** "raw 0.97, ours-memory 1.00" */
export const describeCores = (entries: [TTargetName, number][]): string => entries.map(([t, c]) => `${t} ${c.toFixed(2)}`).join(', ');
