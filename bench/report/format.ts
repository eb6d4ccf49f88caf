/** Number formatting shared by the markdown table and the chart. */

/** Compact human formatting: thousands separators for big values, more digits for small ones. */
export const formatValue = (value: number | undefined): string => {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1 || abs === 0) return value.toFixed(2);
  // Three significant digits below 1 (0.0412 ms per connection, not 0.04).
  return value.toPrecision(3);
};

/** A ratio such as `0.42×`. */
export const formatRatio = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? '—' : `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
