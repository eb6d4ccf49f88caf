/**
 * What a held connection costs in memory, read from inside each target: JS heap (`bun:jsc`
 * heapStats after a full GC), JS objects and RSS per connection, between an idle target and the
 * same target holding `clients` authenticated clients (`hold.ts`, one load process). Targets are
 * interleaved and repeated, each run in a fresh process: median (min–max) and the ratio to raw.
 *
 * Usage: bun bench/profile/heap.ts [clients=10000] [repeats=3] [targets=raw,ours-memory,ours-redis]
 * `HEAP_DEFAULT_ROOMS=none` runs ours with `defaultRooms: []` (what the default rooms cost).
 * `HEAP_SETTLE_MS=15000` waits before the second reading. Read right after connecting, ours
 * carries about 300 B per connection more (at 10,000 clients) that is gone 15 s later: JSC
 * bytecode and JIT code blocks and strings, not per-connection state; raw has almost no code to
 * keep. JSC ages code out on a timer, so heap deltas depend on when they are read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../lib/net';
import { startRedis, type IRedisServer } from '../lib/redis';
import { summarise } from '../lib/stats';
import { PROFILED_TARGETS, startProfiledTarget, type IProfiledTarget, type TProfiled } from './targets';

interface IHeapReading {
  heapSize: number;
  heapCapacity: number;
  objects: number;
  rssKiB: number;
}

const [clientsArg = '10000', repeatsArg = '3', targetsArg = PROFILED_TARGETS.join(',')] = process.argv.slice(2);
const clients = Number(clientsArg);
const repeats = Number(repeatsArg);
const targets = targetsArg.split(',') as TProfiled[];
for (const target of targets) if (!PROFILED_TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
const READ_TIMEOUT_MS = 10_000;

/** Asks the target's probe for a reading and waits for its line. */
const readHeap = async (target: IProfiledTarget, file: string, lines: number): Promise<IHeapReading> => {
  process.kill(target.pid, 'SIGUSR2');
  const deadline = Date.now() + READ_TIMEOUT_MS;
  for (;;) {
    const read = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
    if (read.length > lines) return JSON.parse(read[lines]!) as IHeapReading;
    if (Date.now() > deadline) throw new Error('the heap probe did not answer');
    await sleep(50);
  }
};

/** Per-connection deltas of one run. */
const measure = async (target: TProfiled, redis: IRedisServer | undefined): Promise<IHeapReading> => {
  const dir = mkdtempSync(join(tmpdir(), 'heap-probe-'));
  const file = join(dir, 'readings.jsonl');
  writeFileSync(file, '');
  const server = await startProfiledTarget(target, redis, {
    preload: join(import.meta.dir, 'heap-probe.ts'),
    env: { HEAP_PROBE_OUT: file, ...(process.env.HEAP_DEFAULT_ROOMS ? { BENCH_DEFAULT_ROOMS: process.env.HEAP_DEFAULT_ROOMS } : {}) },
  });
  try {
    const before = await readHeap(server, file, 0);
    const hold = Bun.spawn([process.execPath, join(import.meta.dir, 'hold.ts'), server.wsUrl, String(clients)], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' });
    const reader = hold.stdout.getReader();
    let text = '';
    while (!text.includes('held')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the hold load exited before holding its clients');
      text += new TextDecoder().decode(value);
    }
    // `HEAP_SETTLE_MS`: wait before reading, to tell what a connection keeps from what its connect leaves for a while.
    await sleep(Number(process.env.HEAP_SETTLE_MS ?? 0));
    const after = await readHeap(server, file, 1);
    hold.stdin.end();
    await hold.exited;
    const per = (key: keyof IHeapReading): number => (after[key] - before[key]) / clients;
    return { heapSize: per('heapSize'), heapCapacity: per('heapCapacity'), objects: per('objects'), rssKiB: per('rssKiB') };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const redis = targets.includes('ours-redis') ? await startRedis() : undefined;
const runs = new Map<TProfiled, IHeapReading[]>(targets.map(target => [target, []]));
try {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const target of targets) {
      const r = await measure(target, redis);
      runs.get(target)!.push(r);
      console.log(`${repeat}/${repeats} ${target}: heap ${r.heapSize.toFixed(0)} B, capacity ${r.heapCapacity.toFixed(0)} B, ${r.objects.toFixed(1)} objects, RSS ${r.rssKiB.toFixed(2)} KiB per connection`);
    }
  }
} finally {
  await redis?.stop();
}
console.log(`\nper connection with ${clients} clients held, median of ${repeats} (min–max):`);
const column = (values: IHeapReading[], key: keyof IHeapReading, digits: number): string => {
  const { median, min, max } = summarise(values.map(v => v[key]));
  return `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`;
};
const rawRss = runs.has('raw') ? summarise(runs.get('raw')!.map(v => v.rssKiB)).median : undefined;
for (const [target, values] of runs) {
  const ratio = rawRss && target !== 'raw' ? ` = ${(summarise(values.map(v => v.rssKiB)).median / rawRss).toFixed(2)}× raw` : '';
  console.log(`  ${target.padEnd(12)} JS heap ${column(values, 'heapSize', 0)} B, objects ${column(values, 'objects', 1)}, RSS ${column(values, 'rssKiB', 2)} KiB${ratio}`);
}
