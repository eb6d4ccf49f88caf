/** Small statistics used by load generators (percentiles) and the report (median, range). */

/** Percentile (0–100) of an unsorted sample by nearest rank; NaN when empty. */
export const percentile = (values: ArrayLike<number>, p: number): number => {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
};

/** Median, minimum and maximum of the finite values; all NaN when there are none. */
export interface ISummary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Summarises repeated runs of one measure. */
export const summarise = (values: number[]): ISummary => {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[n - 1]!, n };
};
