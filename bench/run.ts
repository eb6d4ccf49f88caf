/**
 * The benchmark harness (`npm run bench`). Starts Redis, checks whether our component is
 * available, runs every scenario against every available target, and writes
 * bench/results/{latest.json,REPORT.md,chart.svg}. Environment overrides: see lib/config.ts;
 * `BENCH_TARGETS` and `BENCH_SCENARIOS` (comma lists) restrict what runs.
 */
import { loadConfig } from './lib/config';
import { describeMachine } from './lib/machine';
import { readOpenFileLimit } from './lib/proc';
import { startRedis, type IRedisServer } from './lib/redis';
import { checkOurs } from './scenarios/availability';
import { runCapacity } from './scenarios/capacity';
import { runCluster } from './scenarios/cluster';
import { runClusterState } from './scenarios/cluster-state';
import { createConsole } from './scenarios/console';
import type { IScenarioContext } from './scenarios/context';
import { runEncrypted } from './scenarios/encrypted';
import { runFeatures } from './scenarios/features';
import { runCrossNode, runSpread } from './scenarios/multi-node';
import { runBigConnect, runSingle } from './scenarios/single';
import { ResultStore } from './scenarios/store';
import { TARGETS, stopLiveTargets, type TTargetName } from './scenarios/targets';
import { writeResults } from './report/write';

const FD_HEADROOM = 256;
const startedAt = performance.now();
const { log, progress } = createConsole(startedAt);
const config = loadConfig();
const fdLimit = readOpenFileLimit();
const machine = describeMachine(fdLimit);
const store = new ResultStore();
const list = (name: string): string[] | undefined => process.env[name]?.split(',').map(s => s.trim()).filter(Boolean);
const wantedTargets = list('BENCH_TARGETS');
const wantedScenarios = list('BENCH_SCENARIOS');
let redis: IRedisServer | undefined;

const cleanup = async (): Promise<void> => {
  await stopLiveTargets();
  await redis?.stop();
  redis = undefined;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping children`);
    void cleanup().then(() => process.exit(130));
  });
}

const selectTargets = async (): Promise<TTargetName[]> => {
  const ours = await checkOurs();
  if (!ours.ok) {
    store.unavailable('ours-memory', ours.reason!);
    store.unavailable('ours-redis', ours.reason!);
  }
  return TARGETS.filter(t => (ours.ok || !t.startsWith('ours')) && (!wantedTargets || wantedTargets.includes(t)));
};

const main = async (): Promise<void> => {
  log(`machine: ${machine.nproc} CPU ${machine.cpuModel}, Bun ${machine.bunVersion}, open files ${fdLimit}`);
  log(`config: ${JSON.stringify(config)}`);
  const available = await selectTargets();
  for (const [target, reason] of Object.entries(store.data.unavailable)) log(`${target}: not available (${reason})`);
  log(`targets: ${available.join(', ')}`);
  redis = await startRedis();
  log(`redis-server pid ${redis.pid} on 127.0.0.1:${redis.port}`);
  const bigConnect = Math.min(config.bigConnect, fdLimit - FD_HEADROOM);
  if (bigConnect < config.bigConnect) store.note(`large connect capped at ${bigConnect} clients by the open-file limit ${fdLimit}`);
  const capacityClients = Math.min(config.capacityClients, fdLimit - FD_HEADROOM);
  if (capacityClients < config.capacityClients) store.note(`capacity capped at ${capacityClients} clients by the open-file limit ${fdLimit}`);
  const ctx: IScenarioContext = {
    config,
    redisPort: redis.port,
    helperPids: [redis.pid],
    available,
    store,
    log,
    progress,
    elapsed: () => (performance.now() - startedAt) / 1000,
  };
  const scenarios: [string, () => Promise<void>][] = [
    ['single', () => runSingle(ctx)],
    ['connect', () => runBigConnect(ctx, bigConnect)],
    ['cross-node', () => runCrossNode(ctx)],
    ['three-node', () => runSpread(ctx)],
    ['encrypted', () => runEncrypted(ctx)],
    ['state', () => runClusterState(ctx)],
    ['capacity', () => runCapacity(ctx, capacityClients)],
    ['cluster', () => runCluster(ctx)],
    ['features', () => runFeatures(ctx)],
  ];
  for (const [name, run] of scenarios) {
    if (wantedScenarios && !wantedScenarios.includes(name)) continue;
    log(`== ${name}`);
    await run();
  }
};

try {
  await main();
} catch (error) {
  store.note(`harness error: ${error instanceof Error ? error.message : String(error)}`);
  log(`harness error: ${String(error)}`);
} finally {
  await cleanup();
}
const durationSeconds = (performance.now() - startedAt) / 1000;
const files = writeResults({ machine, config, data: store.data, durationSeconds, command: 'npm run bench' });
log(`done in ${durationSeconds.toFixed(0)} s; wrote ${files.join(', ')}`);
process.exit(0);
