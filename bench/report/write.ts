/** Writes latest.json, REPORT.md and chart.svg into bench/results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate } from './aggregate';
import { renderMarkdown, type IReportInput } from './markdown';
import { metricCatalogue } from './metrics';
import { renderChart } from './svg';

/** Directory of the generated files (`BENCH_RESULTS_DIR` redirects a trial run away from the committed report). */
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(import.meta.dir, '..', 'results');

/** Aggregates and writes all three files; returns their paths. */
export const writeResults = (input: Omit<IReportInput, 'rows'>): string[] => {
  const rows = aggregate(metricCatalogue(input.config), input.data);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, 'latest.json');
  const md = join(RESULTS_DIR, 'REPORT.md');
  const svg = join(RESULTS_DIR, 'chart.svg');
  const { data, ...meta } = input;
  const document = { ...meta, unavailable: data.unavailable, metrics: rows, notes: data.notes, details: data.details, runs: data.runs, loadCores: data.loadCores ?? {} };
  writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(md, renderMarkdown({ ...input, rows }));
  const title = `ignis-websocket vs raw Bun — ${input.machine.nproc} CPU, Bun ${input.machine.bunVersion}, median of ${input.config.repeats}`;
  writeFileSync(svg, renderChart(rows, title));
  return [json, md, svg];
};
