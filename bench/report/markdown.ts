/** Writes REPORT.md: machine, parameters, the results table, method and notes. */
import type { IBenchConfig } from '../lib/config';
import type { IMachineInfo } from '../lib/machine';
import type { IStoreData } from '../scenarios/store';
import { TARGETS, type TTargetName } from '../scenarios/targets';
import type { IMetricRow } from './aggregate';
import { formatRatio, formatValue } from './format';
import { boundTargets, describeCores } from './load-bound';
import { renderVerdicts } from './verdicts';

/** Everything the report is made from. */
export interface IReportInput {
  machine: IMachineInfo;
  config: IBenchConfig;
  rows: IMetricRow[];
  data: IStoreData;
  durationSeconds: number;
  command: string;
}

const DESCRIPTIONS: Record<TTargetName, string> = {
  raw: 'bare `Bun.serve` speaking the bench subset of the protocol; rooms are Bun topics (the physical limit)',
  upstream: '`WebSocketComponent` of `@venizia/ignis` 0.0.7 in a real Ignis `BaseApplication` (needs Redis)',
  'ours-memory': 'our `WebSocketComponent` (src/index.ts) in the same Ignis app, no Redis (in-memory broker)',
  'ours-redis': 'our `WebSocketComponent` in the same Ignis app, bound to Redis',
};

const cell = (row: IMetricRow, target: TTargetName, data: IStoreData): string => {
  const s = row.byTarget[target];
  if (s) return s.n > 1 ? `${formatValue(s.median)} (${formatValue(s.min)}–${formatValue(s.max)})` : formatValue(s.median);
  return data.unavailable[target] ? 'n/a' : '—';
};

const table = (input: IReportInput): string[] => {
  const ratioTargets = TARGETS.filter(t => t !== 'raw');
  const header = ['measure', 'unit', ...TARGETS, ...ratioTargets.map(t => `${t} ÷ raw`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  let group = '';
  for (const row of input.rows) {
    if (row.group !== group) {
      group = row.group;
      lines.push(`| **${group}** |${' |'.repeat(header.length - 1)}`);
    }
    const arrow = row.better === 'higher' ? '↑' : '↓';
    const mark = boundTargets(input.data.loadCores, row.id).length ? ' †' : '';
    const cells = [`${row.label} ${arrow}${mark}`, row.unit, ...TARGETS.map(t => cell(row, t, input.data)), ...ratioTargets.map(t => formatRatio(row.ratioToRaw[t]))];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
};

/** Footnotes for the † rows: which targets' busiest load worker used ≥ 0.9 of a core, and how much. */
const loadFootnotes = (input: IReportInput): string[] => {
  const notes = input.rows.flatMap(row => {
    const bound = boundTargets(input.data.loadCores, row.id);
    return bound.length ? [`- † ${row.group} — ${row.label}: load-generator bound: the busiest load worker used ${describeCores(bound)} cores (max over runs).`] : [];
  });
  if (!Object.keys(input.data.loadCores ?? {}).length) return ['', '- Load-generator CPU was not recorded in this run (results from before it was measured).'];
  return notes.length
    ? ['', ...notes]
    : ['', '- No row was load-generator bound: every load worker stayed below 0.9 of a core in every measured phase (together with the servers and Redis they still share the machine\'s cores).'];
};

/** One sentence on how much other work ran on the machine during the kept runs. */
const foreignLoad = (input: IReportInput): string => {
  const runs = input.data.runs;
  if (!runs.length) return '';
  const loads = runs.map(r => r.foreignCores);
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  const repeated = runs.filter(r => r.attempts > 1).length;
  const over = runs.filter(r => r.foreignCores > input.config.foreignCoresLimit).length;
  return (
    `During the ${runs.length} kept runs, processes outside the benchmark used on average ${mean.toFixed(2)} cores (max ${Math.max(...loads).toFixed(2)}); ` +
    `${repeated} runs were repeated because that exceeded ${input.config.foreignCoresLimit} cores, and ${over} kept runs still exceed it.`
  );
};

/** The whole REPORT.md text. */
export const renderMarkdown = (input: IReportInput): string => {
  const { machine: m, config: c, data } = input;
  const targets = TARGETS.map(t => `- \`${t}\`: ${DESCRIPTIONS[t]}${data.unavailable[t] ? ` — **not available**: ${data.unavailable[t]}` : ''}`);
  return [
    '# ignis-websocket benchmark',
    '',
    `Run \`${input.command}\` on ${m.date} — took ${Math.round(input.durationSeconds)} s.`,
    '',
    `Machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memTotalMiB} MiB RAM, Linux ${m.kernel}, Bun ${m.bunVersion}, open-file limit ${m.openFileLimit}, load average at start ${m.loadAvg.join(' / ')}. Servers, load generators and Redis share these cores.`,
    '',
    foreignLoad(input),
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## Parameters',
    '',
    `Each measure is the **median of ${c.repeats} runs (min–max)**, each run in fresh server processes; targets are interleaved within a repeat. ` +
      `Single node: ${c.fanoutClients} clients, ${c.burstCount}-message room burst, paced stream ${c.pacedRate} msg/s for ${c.pacedSeconds} s. ` +
      `Large connect: ${c.bigConnect} clients. Two nodes: ${c.crossClients} clients. Three nodes: ${c.spreadClients} clients, ${c.spreadMessages} sends. ` +
      `Encrypted: ${c.encClients} clients, ${c.encMessages}-message burst. Capacity: ${c.capacityClients} clients held ${c.capacityHoldSeconds} s. ` +
      `Redis Cluster: ${c.shardClients} clients on B in ${c.shardRooms} rooms, ${c.shardMessages} sends via A. ` +
      `Feature cost: median of ${c.featureRepeats} runs of each variant. Handshakes in flight while connecting: ${c.connectWindow}. Load worker processes: ${c.loadProcs}.`,
    '',
    '## Results',
    '',
    '↑ higher is better, ↓ lower is better. "÷ raw" is the target median divided by the raw median (for ↓ rows, above 1 means more cost than raw). "—": not applicable; "n/a": target not available in this run.',
    '',
    ...table(input),
    ...loadFootnotes(input),
    '',
    '![relative to raw Bun](chart.svg)',
    '',
    '## Targets of the issue',
    '',
    'Issue 13\'s targets, one row per goal and target column (the section title names the columns). "not measured": the scenario behind the row did not run or recorded nothing; "reported": a figure the issue asks to show, without a bound.',
    '',
    ...renderVerdicts(input.rows, data.loadCores),
    '',
    '## How it is measured',
    '',
    '- Connect rate: clients open and send `authenticate`; a client counts when `connected` arrives. Rate = clients ÷ time until the last one.',
    '- RSS and CPU per connection: the server process\'s `VmRSS` (/proc/<pid>/status) and CPU time (the target reports its own `process.cpuUsage()`, user+system in µs, via `GET /bench/cpu`; a target without that route falls back to utime+stime from /proc/<pid>/stat in 10 ms ticks — both are kept in latest.json), RSS read after a forced full GC (`Bun.gc(true)` via a bench route) before and after connecting, divided by the clients connected. CPU per connection = the server CPU from the first handshake to the last `connected`, plus what the forced full GC after connecting cost beyond an identical one just before (a full GC marks the whole heap — about 30 MB of Ignis app that no connection owns, under 1 MB in raw — so charging it all to the connections measured the app\'s size; the difference is what the connections add to it). The uncorrected figure (`cpuMsPerConnWithFullGc`) and both GC costs (`fullGcMs`) are kept per run in latest.json.',
    '- Fan-out: an HTTP route in the target sends N messages to the room in one synchronous loop (`sendToRoom()`; `send()` for cross-node; `server.publish()` in raw). Deliveries/s = frames received by all clients ÷ time from the request to the last frame. Latency = receive time − the send timestamp inside the message (both `performance.timeOrigin + performance.now()` on one host).',
    `- Load generator: the clients are split over ${c.loadProcs} worker processes (\`BENCH_LOAD_PROCS\`), coordinated by one more that calls the target's routes and merges counts and latency samples (exact percentiles over all samples).`,
    '- Load-generator bound (†): each load worker measures its own `process.cpuUsage()` during every timed phase (connecting; send until the last frame). A row is marked when the busiest worker used ≥ 0.9 of a core in any kept run: its rate or latency then measures the load generator, not the server; the server-side cost shows in the CPU rows. The workers together can still use more than the machine has left beside the server; `loadCoresTotal` in latest.json has their sum.',
    '- Latency includes the load generator: each worker handles its clients\' frames one after another, so a message to 2000 clients reaches the last of them only after ~1000 callbacks per worker. Absolute latencies are an upper bound; compare targets with each other.',
    '- Join lag (cross-node): as soon as node B reports every client in the room, uniquely numbered probes are sent through node A every ~25 ms; the value is when the first probe that reached every member was sent (0 = the first probe did). "First send right after the joins" is the share of members the first probe reached.',
    '- Redis commands per connection (`connect`, upstream and ours-redis): the Redis server\'s `INFO commandstats` calls of every command but `INFO`, read once Redis has been quiet for 500 ms before the load and again after it (the load closes its clients when it ends, so the UNSUBSCRIBEs count too: per connection, connect + close), divided by the clients connected; SUBSCRIBE + SSUBSCRIBE alone in their own row, the count per command in latest.json (`details["connect-redis/<target>"]`).',
    '- Redis publishes per send (`cross-node`): PUBLISH + SPUBLISH calls from `INFO commandstats` over the same window around the load, divided by the messages sent via A (warm-up probes + burst + paced stream).',
    '- Feature cost (`features`, ours-redis): the single-node fan-out via `send()` (burst and paced stream) in two variants, both in every repeat in alternating order, each in a fresh process: features off, and idle features — history (`HISTORY_POLICY`) and presence (`presence.rooms`) configured only for `other:*` rooms that no bench client joins. Hardening (`protection`) is at its shipped defaults in both variants and in every ours row of the table: the bench turns off only `maxUnauthenticatedPerIp` (64 unauthenticated sockets per address), because the load generator opens thousands of sockets from one address; so its cost is inside every ours ÷ raw ratio, not in the off vs idle difference.',
    '- Cross-node/three-node: the counts of Redis pub/sub messages come from a `RedisHelper` whose duplicated connections count every message Redis pushes (implementation-agnostic).',
    '- Before every timed fan-out phase the sending and delivering servers and the load generator run a full GC, so no phase pays for the previous one\'s garbage.',
    '- Encrypted: every target derives a per-client key in its handshake (ECDH P-256 + HKDF-SHA-256) and seals each message with AES-256-GCM; clients count `encrypted` frames without decrypting. The bench transformer leaves `connected` in clear text: upstream sends `connected` through the outbound transformer, so a transformer that seals everything (as in its docs) would hide `serverPublicKey`/`salt` from the client.',
    '- Ignis targets run with their logging as shipped (winston to console and daily files, redirected to bench/results/tmp).',
    '',
    '## Notes',
    '',
    ...(data.notes.length ? data.notes.map(n => `- ${n}`) : ['- none']),
    '',
  ].join('\n');
};
