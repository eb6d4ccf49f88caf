/**
 * Profiles one target's connection path: starts it under `bun --cpu-prof`, runs `churn.ts`
 * (connect + authenticate + close, no bench routes) against it, and prints the server's CPU per
 * connection from /proc and where the profile's samples were taken (`summary.ts`). The profile
 * stays in bench/results/tmp/profile-<target>/ for a closer look. Compare targets with
 * `compare.ts` (no profiler, interleaved, repeated): the machine drifts between runs.
 *
 * Usage: bun bench/profile/run.ts <raw|ours-memory|ours-redis> [rounds=4] [clients=2000]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TMP_DIR } from '../lib/child';
import { startRedis } from '../lib/redis';
import { formatSummary, summarize, type ICpuProfile } from './summary';
import { PROFILED_TARGETS, churnCpuPerConnection, startProfiledTarget, type TProfiled } from './targets';

const [targetArg = 'ours-memory', roundsArg = '4', clientsArg = '2000'] = process.argv.slice(2);
if (!PROFILED_TARGETS.includes(targetArg as TProfiled)) throw new Error(`target must be one of ${PROFILED_TARGETS.join(', ')}`);
const target = targetArg as TProfiled;
const rounds = Number(roundsArg);
const clients = Number(clientsArg);

const redis = target === 'ours-redis' ? await startRedis() : undefined;
const dir = join(TMP_DIR, `profile-${target}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
try {
  const server = await startProfiledTarget(target, redis, { profileDir: dir });
  try {
    const ms = await churnCpuPerConnection(server, rounds, clients);
    console.log(`\n${target}: server CPU ${ms.toFixed(4)} ms per connection (connect + authenticate + close, /proc ticks; the profiler adds its own)`);
  } finally {
    await server.stop();
  }
} finally {
  await redis?.stop();
}
const file = readdirSync(dir).find(name => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
console.log(`${join(dir, file)}\n`);
console.log(formatSummary(summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ICpuProfile)));
