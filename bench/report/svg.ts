/**
 * chart.svg, drawn by hand: for each charted measure, one horizontal bar per target showing
 * performance relative to raw Bun (1.0 = raw, higher is better whatever the measure's unit).
 */
import { TARGETS, type TTargetName } from '../scenarios/targets';
import { relativeToRaw, type IMetricRow } from './aggregate';
import { formatRatio } from './format';

const COLORS: Record<TTargetName, string> = {
  raw: '#888888',
  upstream: '#d9822b',
  'ours-memory': '#2b7bd9',
  'ours-redis': '#27a36b',
};
const WIDTH = 960;
const LABEL_W = 360;
const PLOT_W = 500;
const BAR_H = 14;
const TOP = 88;
const LEGEND_Y = 66;

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG document for the charted rows. */
export const renderChart = (rows: IMetricRow[], title: string): string => {
  const shown = TARGETS.filter(t => t !== 'raw');
  const charted = rows
    .filter(row => row.chart && row.byTarget.raw)
    .map(row => ({ row, bars: shown.map(t => ({ target: t, value: relativeToRaw(row, t) })).filter(b => b.value !== undefined) }))
    .filter(entry => entry.bars.length > 0);
  const max = Math.max(1.1, ...charted.flatMap(e => e.bars.map(b => b.value!)));
  const x = (v: number): number => LABEL_W + (Math.min(v, max) / max) * PLOT_W;
  const parts: string[] = [];
  let y = TOP;
  for (const { row, bars } of charted) {
    const arrow = row.better === 'higher' ? '↑' : '↓';
    parts.push(`<text x="8" y="${y + 11}" class="label">${esc(`${row.label} ${arrow}`)}</text>`);
    parts.push(`<text x="8" y="${y + 25}" class="group">${esc(row.group)}</text>`);
    for (const bar of bars) {
      const w = Math.max(1, x(bar.value!) - LABEL_W);
      parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[bar.target]}"/>`);
      parts.push(`<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + 11}" class="value">${formatRatio(bar.value)}</text>`);
      y += BAR_H + 3;
    }
    y = Math.max(y, TOP) + 14;
  }
  const height = y + 30;
  const legend = shown
    .map((t, i) => `<rect x="${LABEL_W + i * 150}" y="${LEGEND_Y - 10}" width="12" height="12" fill="${COLORS[t]}"/><text x="${LABEL_W + i * 150 + 16}" y="${LEGEND_Y}" class="value">${t}</text>`)
    .join('');
  const one = x(1).toFixed(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<style>.label{font-size:12px;fill:#222}.group{font-size:10px;fill:#777}.value{font-size:11px;fill:#333}.title{font-size:15px;font-weight:bold}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="22" class="title">${esc(title)}</text>`,
    `<text x="8" y="40" class="group">bar = target ÷ raw for ↑ measures, raw ÷ target for ↓ measures; 1.0 = raw, longer is better</text>`,
    legend,
    ...parts,
    `<line x1="${one}" y1="${TOP - 8}" x2="${one}" y2="${y}" stroke="#555" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${y + 14}" class="value" text-anchor="middle">raw = 1.0</text>`,
    charted.length ? '' : `<text x="8" y="${TOP + 20}" class="label">no measure with a raw baseline and another target</text>`,
    '</svg>',
    '',
  ].join('\n');
};
