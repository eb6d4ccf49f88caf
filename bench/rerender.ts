/**
 * Re-renders REPORT.md and chart.svg from results/latest.json without re-running the load
 * (after a change to the report's layout or to the target verdicts): `bun bench/rerender.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown, type IReportInput } from './report/markdown';
import { renderChart } from './report/svg';
import { RESULTS_DIR } from './report/write';

const document = JSON.parse(readFileSync(join(RESULTS_DIR, 'latest.json'), 'utf8'));
const input = {
  ...document,
  rows: document.metrics,
  data: { unavailable: document.unavailable, notes: document.notes, details: document.details, values: {}, runs: document.runs ?? [], loadCores: document.loadCores ?? {} },
} as IReportInput;
writeFileSync(join(RESULTS_DIR, 'REPORT.md'), renderMarkdown(input));
const title = `ignis-websocket vs raw Bun — ${input.machine.nproc} CPU, Bun ${input.machine.bunVersion}, median of ${input.config.repeats}`;
writeFileSync(join(RESULTS_DIR, 'chart.svg'), renderChart(input.rows, title));
console.log('re-rendered bench/results/REPORT.md and chart.svg from latest.json');
