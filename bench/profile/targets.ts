/**
 * What the profile tools share: starting one target on a free port (optionally under `bun
 * --cpu-prof`) and running `churn.ts` against it while reading the target's CPU from /proc.
 */
import { join } from 'node:path';
import { TMP_DIR } from '../lib/child';
import { LOOPBACK, freePort, sleep } from '../lib/net';
import { readCpuMs } from '../lib/proc';
import type { IRedisServer } from '../lib/redis';
import { WS_PATH } from '../lib/protocol';

/** The targets the profile tools can start. */
export const PROFILED_TARGETS = ['raw', 'ours-memory', 'ours-redis'] as const;
/** One of them. */
export type TProfiled = (typeof PROFILED_TARGETS)[number];

const BENCH = join(import.meta.dir, '..');
const READY_TIMEOUT_MS = 30_000;

const scriptFor = (target: TProfiled, port: number, redis: IRedisServer | undefined): string[] => {
  if (target === 'raw') return [join(BENCH, 'targets', 'raw.ts'), String(port)];
  if (target === 'ours-redis' && !redis) throw new Error('ours-redis needs a redis-server');
  return [join(BENCH, 'targets', 'ignis.ts'), 'ours', String(port), ...(target === 'ours-redis' ? ['--redis', String(redis!.port)] : [])];
};

/** A started target. */
export interface IProfiledTarget {
  pid: number;
  wsUrl: string;
  stop(): Promise<void>;
}

/** How to start a target: under the CPU profiler (`profileDir`), with a module preloaded and extra environment. */
export interface IProfiledStart {
  profileDir?: string;
  preload?: string;
  env?: Record<string, string>;
}

/** Starts `target`; with `profileDir`, under `bun --cpu-prof` writing there (every 200 µs). */
export const startProfiledTarget = async (target: TProfiled, redis: IRedisServer | undefined, how: IProfiledStart = {}): Promise<IProfiledTarget> => {
  const port = await freePort();
  const flags = [
    ...(how.profileDir ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${how.profileDir}`] : []),
    ...(how.preload ? ['--preload', how.preload] : []),
  ];
  const proc = Bun.spawn([process.execPath, ...flags, ...scriptFor(target, port, redis)], {
    cwd: join(BENCH, '..'),
    env: { ...process.env, APP_ENV_LOGGER_FOLDER_PATH: TMP_DIR, ...how.env },
    stdout: 'ignore',
    stderr: 'ignore',
  });
  const stop = async (): Promise<void> => {
    proc.kill('SIGTERM');
    await proc.exited;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${target} exited with ${proc.exitCode}`);
    if (await fetch(`http://${LOOPBACK}:${port}/bench/ready`).then(r => r.status === 200, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${target} not ready within ${READY_TIMEOUT_MS} ms`);
    }
    await sleep(100);
  }
  return { pid: proc.pid, wsUrl: `ws://${LOOPBACK}:${port}${WS_PATH}`, stop };
};

/**
 * Runs `churn.ts` (rounds × clients connect + authenticate + close) against a started target;
 * returns the target's CPU per connection in ms from /proc (user + system, 10 ms ticks: time in
 * the kernel and in native code outside any JS frame counts too).
 */
export const churnCpuPerConnection = async (target: IProfiledTarget, rounds: number, clients: number, quiet = false): Promise<number> => {
  const before = readCpuMs(target.pid);
  const churn = Bun.spawn([process.execPath, join(import.meta.dir, 'churn.ts'), target.wsUrl, String(clients), String(rounds)], {
    stdout: quiet ? 'ignore' : 'inherit',
    stderr: 'inherit',
  });
  if ((await churn.exited) !== 0) throw new Error('churn failed');
  return (readCpuMs(target.pid) - before) / (clients * rounds);
};
