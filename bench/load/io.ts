/** Load-generator plumbing: input from argv, JSON lines to the harness, calls to target routes. */
import { BenchRoutes } from '../lib/protocol';
import { fetchJson } from '../lib/net';
import { readCpuMs, readRssKiB } from '../lib/proc';

/** The JSON object the harness passed as the first argument. */
export const readInput = <T>(): T => JSON.parse(process.argv[2] ?? '{}') as T;

/** Prints one JSON line for the harness. */
export const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** A progress printer that prints at most every `everyMs`. */
export const progress = (phase: string, total: number, everyMs = 500): ((done: number) => void) => {
  let last = 0;
  return done => {
    const now = Date.now();
    if (done < total && now - last < everyMs) return;
    last = now;
    emit({ type: 'progress', phase, done, total });
  };
};

/** `POST` a bench route with query parameters. */
export const post = (base: string, route: string, params: Record<string, string | number> = {}): Promise<unknown> => {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return fetchJson(`${base}${route}?${query}`, { method: 'POST' }, 30_000);
};

/** Members of `room` on the node at `base`. */
export const roomSize = async (base: string, room: string): Promise<number> =>
  ((await fetchJson(`${base}${BenchRoutes.ROOM}?room=${encodeURIComponent(room)}`)) as { size: number }).size;

/** One reading of a target's CPU time in ms, and where it came from. */
export interface ICpuSample {
  /** The target's own `process.cpuUsage()` (µs resolution) when it serves the CPU route, else `tickCpuMs`. */
  cpuMs: number;
  /** utime+stime from /proc/<pid>/stat (10 ms ticks), kept to compare the two methods. */
  tickCpuMs: number;
  source: 'cpuUsage' | 'proc';
}

/** Reads a target's CPU time: its self-reported `process.cpuUsage()`, falling back to /proc ticks. */
export const sampleServerCpu = async (base: string, pid: number): Promise<ICpuSample> => {
  const tickCpuMs = readCpuMs(pid);
  try {
    const { cpuUs } = await fetchJson<{ cpuUs?: unknown }>(`${base}${BenchRoutes.CPU}`);
    if (typeof cpuUs === 'number' && Number.isFinite(cpuUs)) return { cpuMs: cpuUs / 1000, tickCpuMs, source: 'cpuUsage' };
  } catch {
    // target without the CPU route: ticks it is
  }
  return { cpuMs: tickCpuMs, tickCpuMs, source: 'proc' };
};

/** CPU ms between two samples; falls back to the tick readings if the sources differ. */
export const cpuDelta = (before: ICpuSample, after: ICpuSample): { ms: number; ticksMs: number; source: ICpuSample['source'] } => {
  const ticksMs = after.tickCpuMs - before.tickCpuMs;
  return before.source === after.source ? { ms: after.cpuMs - before.cpuMs, ticksMs, source: after.source } : { ms: ticksMs, ticksMs, source: 'proc' };
};

/** Forces a full GC on the target, then reads its RSS and CPU time. */
export const settledSample = async (base: string, pid: number): Promise<ICpuSample & { rssKiB: number }> => {
  await post(base, BenchRoutes.GC);
  const rssKiB = readRssKiB(pid);
  return { rssKiB, ...(await sampleServerCpu(base, pid)) };
};

/** Starts measuring this (load) process's CPU; `stop()` returns the cores it used on average since. */
export const startLoadMeter = (): { stop(): number } => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop: () => {
      const used = process.cpuUsage(cpu0);
      return (used.user + used.system) / 1000 / Math.max(performance.now() - t0, 1);
    },
  };
};

/** Runs `main`, printing an `error` line and exiting non-zero if it throws. */
export const runMain = (main: () => Promise<void>): void => {
  main()
    .then(() => process.exit(0))
    .catch(error => {
      emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    });
};
