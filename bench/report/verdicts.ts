/**
 * The targets checked against this run: each goal, the measured ratio, met or missed,
 * and for a miss what the profile says the time goes to and what closing the gap would take.
 */
import type { TTargetName } from '../scenarios/targets';
import type { IMetricRow } from './aggregate';
import { formatRatio } from './format';
import { boundTargets, describeCores, maxLoadCores, type TLoadCores } from './load-bound';

interface IGoal {
  goal: string;
  /** Measured ratio for this run, or undefined when the rows are missing. */
  ratio(rows: Map<string, IMetricRow>): number | undefined;
  /** Upper (`max`) or lower (`min`) bound on the ratio. */
  bound: { min?: number; max?: number };
  /** Why a miss happens and what it would take, from `bun --cpu-prof` of the target. */
  ifMissed: string;
  /** Rate/latency rows whose load-generator CPU decides whether a miss is the server's or the load's. */
  loadRows?: string[];
}

const median = (rows: Map<string, IMetricRow>, id: string, target: TTargetName) => rows.get(id)?.byTarget[target]?.median;
const ratio = (rows: Map<string, IMetricRow>, id: string, target: TTargetName = 'ours-memory') => rows.get(id)?.ratioToRaw[target];
const divide = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

const CONNECT_PROFILE =
  'Profile (`bun --cpu-prof bench/targets/ignis.ts ours`, 8 000 connect+auth+close): about three quarters of server CPU is ' +
  "Bun's own HTTP/upgrade handling (native `upgrade` and the self time of the fetch closure in src/component/bun-fetch.ts, which " +
  'includes request parsing and GC in the larger Ignis heap); our JS per connection (registry add/remove, the auth flow\'s awaits, ' +
  'the rate-limit bucket, the zod envelope check) is about 10 %. Closing the rest would take fewer allocations per connection ' +
  '(one auth timer instead of two, fewer promise hops in the auth flow).';

const GOALS: IGoal[] = [
  { goal: 'connect+auth rate, 2 000 clients ≥ 0.8× raw', ratio: r => ratio(r, 'connect_rate'), bound: { min: 0.8 }, ifMissed: CONNECT_PROFILE, loadRows: ['connect_rate'] },
  { goal: 'connect+auth rate, 10 000 clients ≥ 0.8× raw', ratio: r => ratio(r, 'big_connect_rate'), bound: { min: 0.8 }, ifMissed: CONNECT_PROFILE, loadRows: ['big_connect_rate'] },
  { goal: 'server CPU per connection, 2 000 ≤ 2× raw', ratio: r => ratio(r, 'cpu_per_conn'), bound: { max: 2 }, ifMissed: CONNECT_PROFILE },
  { goal: 'server CPU per connection, 10 000 ≤ 2× raw', ratio: r => ratio(r, 'big_cpu_per_conn'), bound: { max: 2 }, ifMissed: CONNECT_PROFILE },
  {
    goal: 'fan-out deliveries/s ≥ 0.95× raw',
    ratio: r => ratio(r, 'burst_rate'),
    bound: { min: 0.95 },
    ifMissed: 'Fan-out is one `server.publish()` per message like raw — compare "server CPU per 1000 deliveries".',
    loadRows: ['burst_rate'],
  },
  {
    goal: 'server CPU per 1 000 deliveries ≤ 1.1× raw',
    ratio: r => ratio(r, 'burst_cpu_1k'),
    bound: { max: 1.1 },
    ifMissed: 'Per message the server serialises once and calls `server.publish()`; the extra is the bench route and one `encryptedCount` check.',
  },
  {
    goal: 'burst p99 ≤ 1.2× raw',
    ratio: r => ratio(r, 'burst_p99'),
    bound: { max: 1.2 },
    ifMissed: 'Latency includes the load generator draining every socket in one process; compare the spread (min–max) of the runs with the gap.',
    loadRows: ['burst_p99'],
  },
  {
    goal: 'RSS per connection at 10 000 ≤ 1.3× raw',
    ratio: r => ratio(r, 'big_kib_per_conn'),
    bound: { max: 1.3 },
    ifMissed:
      'About 1.4 KB of JS heap per client stays: the client record, its rooms Set, socket.data, the rate-limit bucket and the user-index Set (measured with bun:jsc heapStats). Folding the bucket and single-session user entries into the client record would save roughly 0.4 KB.',
  },
  {
    goal: 'cross-node deliveries/s ≥ 0.9× raw local fan-out',
    ratio: r => divide(median(r, 'cross_burst_rate', 'ours-redis'), median(r, 'burst_rate', 'raw')),
    bound: { min: 0.9 },
    ifMissed: 'Cross-node fan-out is one Redis message per send and one topic publish on the receiving node.',
    loadRows: ['cross_burst_rate', 'burst_rate'],
  },
  {
    goal: 'cross-node paced p99 ≤ 2× raw local paced p99',
    ratio: r => divide(median(r, 'cross_paced_p99', 'ours-redis'), median(r, 'paced_p99', 'raw')),
    bound: { max: 2 },
    ifMissed: 'One extra hop through Redis per message; on two shared cores Redis, two servers and the load generator compete.',
    loadRows: ['cross_paced_p99', 'paced_p99'],
  },
  {
    goal: 'a node hosting no member of a room receives 0 of its messages (A and B, per send)',
    ratio: r => {
      const a = median(r, 'spread_a', 'ours-redis');
      const b = median(r, 'spread_b', 'ours-redis');
      return a === undefined || b === undefined ? undefined : a + b;
    },
    bound: { max: 0 },
    ifMissed: 'Interest-based subscriptions should make this exactly 0; anything else is a bug in src/broker.',
  },
];

/** What the measured load-generator CPU says about a miss of a goal with rate/latency rows. */
const loadVerdict = (goal: IGoal, loadCores: TLoadCores): string => {
  if (!goal.loadRows) return '';
  const bound = goal.loadRows.flatMap(id => boundTargets(loadCores, id).map(([t, c]) => `${id} ${describeCores([[t, c]])}`));
  if (bound.length) return ` Load-generator bound in this run: the load process used ≥ 0.9 of a core (${bound.join('; ')} cores), so the ratio measures the load generator as much as the server.`;
  const seen = goal.loadRows.flatMap(id => Object.values(maxLoadCores(loadCores, id)));
  if (!seen.length) return ' (No load-generator CPU was recorded for these rows.)';
  return ` Not load-generator bound: the load process used at most ${Math.max(...seen).toFixed(2)} cores, so the gap is the server's.`;
};

/** Markdown lines of the targets section. */
export const renderVerdicts = (rows: IMetricRow[], loadCores: TLoadCores = {}): string[] => {
  const byId = new Map(rows.map(row => [row.id, row]));
  const lines = ['| goal | measured | verdict |', '| --- | ---: | --- |'];
  const misses: string[] = [];
  for (const goal of GOALS) {
    const value = goal.ratio(byId);
    const met = value === undefined ? undefined : (goal.bound.min === undefined || value >= goal.bound.min) && (goal.bound.max === undefined || value <= goal.bound.max);
    const shown = goal.bound.max === 0 ? (value === undefined ? 'n/a' : value.toFixed(2)) : formatRatio(value);
    lines.push(`| ${goal.goal} | ${shown} | ${met === undefined ? 'not measured' : met ? 'met' : '**missed**'} |`);
    if (met === false) misses.push(`- **${goal.goal}** (${shown}): ${goal.ifMissed}${loadVerdict(goal, loadCores)}`);
  }
  return misses.length === 0 ? lines : [...lines, '', 'Why the misses, and what it would take:', '', ...misses];
};
