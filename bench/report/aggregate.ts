/** Turns the raw values of every run into medians, ranges and ratios to raw. */
import { summarise, type ISummary } from '../lib/stats';
import type { IStoreData } from '../scenarios/store';
import { TARGETS, type TTargetName } from '../scenarios/targets';
import type { IMetricDef } from './metrics';

/** One row of the report. */
export interface IMetricRow extends IMetricDef {
  byTarget: Partial<Record<TTargetName, ISummary & { values: number[] }>>;
  /** target median ÷ raw median (same direction as the metric). */
  ratioToRaw: Partial<Record<TTargetName, number>>;
}

/** Rows for every catalogued metric that has at least one value. */
export const aggregate = (catalogue: IMetricDef[], data: IStoreData): IMetricRow[] => {
  const rows: IMetricRow[] = [];
  for (const def of catalogue) {
    const values = data.values[def.id];
    if (!values) continue;
    const row: IMetricRow = { ...def, byTarget: {}, ratioToRaw: {} };
    for (const target of TARGETS) {
      const runs = values[target];
      if (runs?.length) row.byTarget[target] = { ...summarise(runs), values: runs };
    }
    const raw = row.byTarget.raw?.median;
    for (const target of TARGETS) {
      const median = row.byTarget[target]?.median;
      if (raw !== undefined && median !== undefined && raw !== 0) row.ratioToRaw[target] = median / raw;
    }
    rows.push(row);
  }
  return rows;
};

/** How good a target is relative to raw on one row: 1 = raw, < 1 = worse, whatever the direction. */
export const relativeToRaw = (row: IMetricRow, target: TTargetName): number | undefined => {
  const ratio = row.ratioToRaw[target];
  if (ratio === undefined || ratio === 0) return undefined;
  return row.better === 'higher' ? ratio : 1 / ratio;
};
