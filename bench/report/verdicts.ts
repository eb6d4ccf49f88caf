/**
 * Issue 13's targets checked against this run: one row per goal and target column, the measured
 * ratio or count, met / missed / not measured, and for a miss why (texts in why-missed.ts) and
 * whether the load generator, not the server, decided the figure.
 */
import { CLUSTER_MASTERS } from '../lib/redis-cluster';
import type { TTargetName } from '../scenarios/targets';
import type { IMetricRow } from './aggregate';
import { formatRatio, formatValue } from './format';
import { boundTargets, maxLoadCores, type TLoadCores } from './load-bound';
import * as why from './why-missed';

/** One metric in one target column. */
type TCell = readonly [id: string, target: TTargetName];
type TRows = Map<string, IMetricRow>;

interface IGoal {
  goal: string;
  /** The measured ratio or count in this run; undefined when its rows are missing. */
  measure(rows: TRows): number | undefined;
  /** How the value is shown: `0.92×` or a plain count. */
  shown: 'ratio' | 'count';
  /** Whether the value meets the goal; absent for a figure that is only reported. */
  meets?: (value: number) => boolean;
  /** Replaces the default measured cell (e.g. a value with its ratio). */
  display?: (rows: TRows) => string;
  /** Why a miss happens and what it would take (absent for a figure that is only reported). */
  ifMissed?: string;
  /** Rate/latency rows whose load-generator CPU decides whether a miss is the server's or the load's. */
  loadCells?: TCell[];
  /** Facts of this run worth adding to a miss (e.g. the runs' ranges overlap). */
  context?: (rows: TRows) => string | undefined;
}

interface ISection {
  title: string;
  /** Names the section in the list of misses. */
  short: string;
  goals: IGoal[];
}

const cellOf = (rows: TRows, [id, target]: TCell) => rows.get(id)?.byTarget[target];
const median = (rows: TRows, cell: TCell) => cellOf(rows, cell)?.median;
const divide = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const atLeast = (bound: number) => (value: number) => value >= bound;
const atMost = (bound: number) => (value: number) => value <= bound;

/** `a ÷ b` of two cells. */
const ratioGoal = (goal: string, a: TCell, b: TCell, meets: (value: number) => boolean, ifMissed: string, loadBound = false): IGoal => ({
  goal,
  measure: rows => divide(median(rows, a), median(rows, b)),
  shown: 'ratio',
  meets,
  ifMissed,
  ...(loadBound ? { loadCells: [a, b] } : {}),
});

/** A target's median on a row against raw's median on the same row. */
const vsRaw = (goal: string, id: string, target: TTargetName, meets: (value: number) => boolean, ifMissed: string, loadBound = false): IGoal =>
  ratioGoal(goal, [id, target], [id, 'raw'], meets, ifMissed, loadBound);

/** A count (commands, messages) of one cell. */
const countGoal = (goal: string, cell: TCell, meets: (value: number) => boolean, ifMissed: string): IGoal => ({
  goal,
  measure: rows => median(rows, cell),
  shown: 'count',
  meets,
  ifMissed,
});

/** The connect-phase goals (2,000 and 10,000 clients) of one target. */
const connectGoals = (target: TTargetName, minRate: number, maxCpu: number, ifMissed: string): IGoal[] => [
  vsRaw(`connect+auth rate, 2 000 clients ≥ ${minRate}× raw`, 'connect_rate', target, atLeast(minRate), ifMissed, true),
  vsRaw(`connect+auth rate, 10 000 clients ≥ ${minRate}× raw`, 'big_connect_rate', target, atLeast(minRate), ifMissed, true),
  vsRaw(`server CPU per connection, 2 000 clients ≤ ${maxCpu}× raw`, 'cpu_per_conn', target, atMost(maxCpu), ifMissed),
  vsRaw(`server CPU per connection, 10 000 clients ≤ ${maxCpu}× raw`, 'big_cpu_per_conn', target, atMost(maxCpu), ifMissed),
];

const CAPACITY: TTargetName = 'ours-memory';
const CLUSTER: TTargetName = 'ours-redis';
const SHARD_ROWS = Array.from({ length: CLUSTER_MASTERS }, (_, i) => `shard_spublish_${i + 1}`);

/** A sentence with both variants' run ranges (min–max) when they overlap, else undefined. */
const overlap = (rows: TRows, off: TCell, idle: TCell): string | undefined => {
  const a = cellOf(rows, off);
  const b = cellOf(rows, idle);
  if (!a || !b || a.n < 2 || b.n < 2 || a.max < b.min || b.max < a.min) return undefined;
  return `the runs' ranges overlap (off ${formatValue(a.min)}–${formatValue(a.max)}, idle ${formatValue(b.min)}–${formatValue(b.max)}): the difference is within the run-to-run spread`;
};

/** idle ÷ off for one feature-cost measure on ours-redis. */
const featureGoal = (label: string, measure: string, better: 'higher' | 'lower', loadBound: boolean): IGoal => {
  const off: TCell = [`feat_off_${measure}`, 'ours-redis'];
  const idle: TCell = [`feat_idle_${measure}`, 'ours-redis'];
  const goal = better === 'higher' ? `${label}: idle features ≥ 0.95× features off` : `${label}: idle features ≤ 1.05× features off`;
  return { ...ratioGoal(goal, idle, off, better === 'higher' ? atLeast(0.95) : atMost(1.05), why.WHY_FEATURE_COST, loadBound), context: rows => overlap(rows, off, idle) };
};

const SECTIONS: ISection[] = [
  {
    title: 'In-memory (ours-memory ÷ raw)',
    short: 'in-memory',
    goals: [
      ...connectGoals('ours-memory', 0.9, 1.5, why.WHY_CONNECT),
      vsRaw('RSS per connection, 10 000 clients ≤ 1.2× raw', 'big_kib_per_conn', 'ours-memory', atMost(1.2), why.WHY_MEMORY),
      vsRaw('server CPU per 1 000 deliveries ≤ 1.05× raw', 'burst_cpu_1k', 'ours-memory', atMost(1.05), why.WHY_DELIVERY_CPU),
      vsRaw('paced p99 ≤ 1.1× raw', 'paced_p99', 'ours-memory', atMost(1.1), why.WHY_PACED, true),
    ],
  },
  {
    title: 'Redis (ours-redis ÷ raw unless stated)',
    short: 'Redis',
    goals: [
      ...connectGoals('ours-redis', 0.8, 2, why.WHY_CONNECT_REDIS),
      vsRaw('RSS per connection, 10 000 clients ≤ 1.4× raw', 'big_kib_per_conn', 'ours-redis', atMost(1.4), why.WHY_MEMORY_REDIS),
      ratioGoal('cross-node paced p99 ≤ 1.2× raw local paced p99', ['cross_paced_p99', 'ours-redis'], ['paced_p99', 'raw'], atMost(1.2), why.WHY_CROSS_LATENCY, true),
      ratioGoal('cross-node paced p99 ≤ upstream cross-node paced p99 (ours-redis ÷ upstream)', ['cross_paced_p99', 'ours-redis'], ['cross_paced_p99', 'upstream'], atMost(1), why.WHY_CROSS_LATENCY, true),
      ratioGoal('cross-node burst p50 ≤ 2× raw local burst p50', ['cross_burst_p50', 'ours-redis'], ['burst_p50', 'raw'], atMost(2), why.WHY_CROSS_LATENCY, true),
      countGoal('Redis commands per new connection ≤ 1 (10 000 clients, connect + close)', ['redis_cmds_per_conn', 'ours-redis'], atMost(1), why.WHY_REDIS_COMMANDS),
      countGoal('Redis publishes (PUBLISH + SPUBLISH) per send ≤ 1.00 (cross-node)', ['redis_publish_per_send', 'ours-redis'], atMost(1), why.WHY_PUBLISH),
    ],
  },
  {
    title: `Capacity (${CAPACITY}; ratios to raw)`,
    short: 'capacity',
    goals: [
      vsRaw('RSS per connection, every capacity client connected ≤ 1.3× raw', 'cap_kib_per_conn', CAPACITY, atMost(1.3), why.WHY_CAPACITY_MEMORY),
      {
        goal: 'idle CPU per 1 000 clients',
        measure: rows => median(rows, ['cap_idle_cpu_1k', CAPACITY]),
        shown: 'count',
        display: rows => {
          const row = rows.get('cap_idle_cpu_1k');
          return `${formatValue(median(rows, ['cap_idle_cpu_1k', CAPACITY]))} ${row?.unit ?? ''} (${formatRatio(row?.ratioToRaw[CAPACITY])} raw)`;
        },
      },
      countGoal('clients closed during the hold = 0', ['cap_dropped', CAPACITY], atMost(0), why.WHY_CAPACITY_DROPPED),
    ],
  },
  {
    title: `Redis Cluster (${CLUSTER})`,
    short: 'Redis Cluster',
    goals: [
      countGoal('SPUBLISH per send = 1.00', ['shard_spublish_total', CLUSTER], value => value > 0 && value <= 1, why.WHY_SHARD_SPUBLISH),
      countGoal('PUBLISH per send = 0.00', ['shard_publish_total', CLUSTER], atMost(0), why.WHY_SHARD_PUBLISH),
      {
        goal: 'SPUBLISH per send on each master shown',
        // The number of masters shown, once every one of them has a row.
        measure: rows => {
          const values = SHARD_ROWS.map(id => median(rows, [id, CLUSTER]));
          return values.every(v => v !== undefined) ? values.length : undefined;
        },
        shown: 'count',
        display: rows => SHARD_ROWS.map(id => formatValue(median(rows, [id, CLUSTER]))).join(' / '),
        meets: () => true,
        ifMissed: why.WHY_SHARD_ROWS,
      },
    ],
  },
  {
    title: 'Feature cost (ours-redis, idle features ÷ features off)',
    short: 'feature cost',
    goals: [
      featureGoal('burst deliveries/s', 'rate', 'higher', true),
      featureGoal('burst server CPU per 1 000 deliveries', 'cpu_1k', 'lower', false),
      featureGoal('burst p50', 'p50', 'lower', true),
      featureGoal('burst p99', 'p99', 'lower', true),
      featureGoal('paced p99', 'paced_p99', 'lower', true),
    ],
  },
  {
    title: 'Interest-based subscriptions (ours-redis)',
    short: 'interest',
    goals: [
      {
        goal: 'a node hosting no member of a room receives 0 of its messages (A and B, per send)',
        measure: rows => {
          const a = median(rows, ['spread_a', 'ours-redis']);
          const b = median(rows, ['spread_b', 'ours-redis']);
          return a === undefined || b === undefined ? undefined : a + b;
        },
        shown: 'count',
        meets: atMost(0),
        ifMissed: why.WHY_SPREAD,
      },
    ],
  },
];

/** Cores of the busiest load worker in one cell's phase at or above the bound, as "id target 0.97 cores". */
const boundCells = (loadCores: TLoadCores, cells: TCell[]): string[] =>
  cells.flatMap(([id, target]) => boundTargets(loadCores, id).filter(([t]) => t === target).map(([t, cores]) => `${id} ${t} ${cores.toFixed(2)} cores`));

/** What the measured load-generator CPU says about a miss of a goal with rate/latency rows. */
const loadVerdict = (goal: IGoal, loadCores: TLoadCores): string | undefined => {
  if (!goal.loadCells) return undefined;
  const bound = boundCells(loadCores, goal.loadCells);
  if (bound.length) return `load-generator bound: a load worker used ≥ 0.9 of a core (${bound.join('; ')}), so the ratio measures the load generator as much as the server`;
  const seen = goal.loadCells.flatMap(([id, target]) => maxLoadCores(loadCores, id)[target] ?? []);
  if (!seen.length) return 'no load-generator CPU was recorded for these rows';
  return `no load worker was the bottleneck (the busiest used at most ${Math.max(...seen).toFixed(2)} cores), but the workers together, the server(s) and Redis share the machine's cores, so the gap is the server's or the shared machine's`;
};

/** A count with enough digits to tell 0.004 from 0. */
const formatCount = (value: number): string => (value !== 0 && Math.abs(value) < 0.01 ? value.toPrecision(2) : value.toFixed(2));

const verdictOf = (goal: IGoal, value: number | undefined): 'met' | 'missed' | 'reported' | 'not measured' => {
  if (value === undefined) return 'not measured';
  if (!goal.meets) return 'reported';
  return goal.meets(value) ? 'met' : 'missed';
};

/** One missed goal: its text in the list under the table. */
const describeMiss = (section: ISection, goal: IGoal, shown: string, rows: TRows, loadCores: TLoadCores): string => {
  const facts = [shown, loadVerdict(goal, loadCores), goal.context?.(rows)].filter(Boolean);
  return `  - **${section.short}: ${goal.goal}** (${facts.join('; ')})`;
};

/** Markdown lines of the targets section; under the table each explanation once, with the misses it explains. */
export const renderVerdicts = (rows: IMetricRow[], loadCores: TLoadCores = {}): string[] => {
  const byId: TRows = new Map(rows.map(row => [row.id, row]));
  const lines = ['| goal | measured | verdict |', '| --- | ---: | --- |'];
  const misses = new Map<string, string[]>();
  for (const section of SECTIONS) {
    lines.push(`| **${section.title}** | | |`);
    for (const goal of section.goals) {
      const value = goal.measure(byId);
      const verdict = verdictOf(goal, value);
      const shown = value === undefined ? '—' : goal.display ? goal.display(byId) : goal.shown === 'ratio' ? formatRatio(value) : formatCount(value);
      if (verdict !== 'missed') {
        lines.push(`| ${goal.goal} | ${shown} | ${verdict} |`);
        continue;
      }
      lines.push(`| ${goal.goal} | ${shown} | **missed**${goal.context?.(byId) ? ' (within the spread of the runs)' : ''} |`);
      const reason = goal.ifMissed ?? '';
      misses.set(reason, [...(misses.get(reason) ?? []), describeMiss(section, goal, shown, byId, loadCores)]);
    }
  }
  if (misses.size === 0) return lines;
  return [...lines, '', 'Why the misses, and what it would take:', '', ...[...misses].flatMap(([text, goals]) => [`- ${text}`, ...goals])];
};
