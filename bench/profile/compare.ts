/**
 * Server CPU per connection (connect + authenticate + close) of several targets, interleaved
 * and repeated, each run in a fresh process without the profiler: median (min–max) per target
 * and its ratio to raw. The quick way to see what a change to the connection path did.
 *
 * Usage: bun bench/profile/compare.ts [repeats=5] [rounds=4] [clients=2000] [targets=raw,ours-memory,ours-redis]
 */
import { startRedis } from '../lib/redis';
import { summarise } from '../lib/stats';
import { PROFILED_TARGETS, churnCpuPerConnection, startProfiledTarget, type TProfiled } from './targets';

const [repeatsArg = '5', roundsArg = '4', clientsArg = '2000', targetsArg = PROFILED_TARGETS.join(',')] = process.argv.slice(2);
const targets = targetsArg.split(',') as TProfiled[];
for (const target of targets) if (!PROFILED_TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
const [repeats, rounds, clients] = [Number(repeatsArg), Number(roundsArg), Number(clientsArg)];

const redis = targets.includes('ours-redis') ? await startRedis() : undefined;
const runs = new Map<TProfiled, number[]>(targets.map(target => [target, []]));
try {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const target of targets) {
      const server = await startProfiledTarget(target, redis);
      try {
        const ms = await churnCpuPerConnection(server, rounds, clients, true);
        runs.get(target)!.push(ms);
        console.log(`${repeat}/${repeats} ${target}: ${ms.toFixed(4)} ms`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await redis?.stop();
}
const raw = runs.has('raw') ? summarise(runs.get('raw')!).median : undefined;
console.log(`\nserver CPU per connection (connect + authenticate + close), median of ${repeats} (min–max):`);
for (const [target, values] of runs) {
  const { median, min, max } = summarise(values);
  const ratio = raw && target !== 'raw' ? ` = ${(median / raw).toFixed(2)}× raw` : '';
  console.log(`  ${target.padEnd(12)} ${median.toFixed(4)} ms (${min.toFixed(4)}–${max.toFixed(4)})${ratio}`);
}
