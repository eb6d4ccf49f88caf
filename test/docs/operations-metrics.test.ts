/**
 * wiki/operations.md lists exactly the metrics a helper exposes (name, type, labels), every
 * `getStats()` counter has a metric, and the Grafana dashboard beside it charts every metric and
 * nothing that does not exist. Read from a real helper on a real Redis, so `ignis_ws_redis_up`
 * is there too.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { DELIVERY_STATS_METRICS } from '../../src/server/metrics';
import { MetricSamples } from '../support/prometheus';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

const page = await Bun.file(new URL('../../wiki/operations.md', import.meta.url)).text();
const dashboard = await Bun.file(new URL('../../wiki/grafana-dashboard.json', import.meta.url)).json();

let redis: TestRedis;
let node: ITestNode;
let exposed: MetricSamples;
beforeAll(async () => {
  redis = await TestRedis.start();
  node = await startNode({ redisConnection: redis.helper() });
  // One connection that comes and goes, so the labelled families have samples to read labels from.
  await (await TestClient.connect(node.url)).close();
  await node.untilEmpty();
  exposed = MetricSamples.parse(await node.helper.getMetrics());
});
afterAll(async () => {
  await node.stop();
  await redis.stop();
});

/** Rows `| \`name\` | type | labels | meaning |` of the table under "### Every metric". */
const documented = (): Map<string, { type: string; labels: string[] }> => {
  const rows = new Map<string, { type: string; labels: string[] }>();
  const start = page.indexOf('### Every metric');
  expect(start).toBeGreaterThanOrEqual(0);
  let inTable = false;
  for (const line of page.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split('|').map(cell => cell.trim());
    const name = /^`(ignis_ws_[a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    const labels = [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map(match => match[1]!);
    rows.set(name, { type: cells[2] ?? '', labels });
  }
  return rows;
};

/** Label names a family's samples carry (histogram `le` aside). */
const labelsOf = (family: string): string[] => {
  const names = new Set<string>();
  for (const line of exposed.text.split('\n')) {
    const match = new RegExp(`^${family}(?:_bucket|_sum|_count)?\\{(.*)\\} `).exec(line);
    if (!match) continue;
    for (const label of match[1]!.matchAll(/([a-z_]+)="/g)) if (label[1] !== 'le') names.add(label[1]!);
  }
  return [...names].sort();
};

test('the metrics table lists every exposed metric once, with its type and labels', () => {
  const rows = documented();
  expect([...rows.keys()].sort()).toEqual(exposed.families().sort());
  for (const family of exposed.families()) {
    expect([family, rows.get(family)?.type]).toEqual([family, exposed.typeOf(family)]);
    expect([family, [...(rows.get(family)?.labels ?? [])].sort()]).toEqual([family, labelsOf(family)]);
  }
});

test('every getStats() counter is exposed as a metric', () => {
  const stats = Object.keys(node.helper.getStats()).sort();
  expect(Object.keys(DELIVERY_STATS_METRICS).sort()).toEqual(stats);
  for (const [stat, metric] of Object.entries(DELIVERY_STATS_METRICS)) {
    const family = /^ignis_ws_[a-z_]+/.exec(metric)![0];
    expect([stat, exposed.families()]).toEqual([stat, expect.arrayContaining([family])]);
  }
});

test('the Grafana dashboard charts every metric, and only metrics that exist', () => {
  const exprs: string[] = [];
  for (const panel of dashboard.panels as { targets?: { expr: string }[] }[]) for (const target of panel.targets ?? []) exprs.push(target.expr);
  const used = new Set(exprs.flatMap(expr => [...expr.matchAll(/ignis_ws_[a-z_]+/g)].map(match => match[0].replace(/_(bucket|sum|count)$/, ''))));
  const families = exposed.families();
  expect([...used].filter(name => !families.includes(name))).toEqual([]);
  expect(families.filter(name => !used.has(name))).toEqual([]);
  expect(dashboard.templating.list.map((variable: { name: string }) => variable.name)).toEqual(['datasource', 'instance']);
});
