/** Load-generator plumbing: input from argv, JSON lines to the harness, calls to target routes. */
import { BenchRoutes } from '../lib/protocol';
import { fetchJson } from '../lib/net';
import { sampleProc, type IProcSample } from '../lib/proc';

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

/** Forces a full GC on the target, then reads its RSS and CPU time. */
export const settledSample = async (base: string, pid: number): Promise<IProcSample> => {
  await post(base, BenchRoutes.GC);
  return sampleProc(pid);
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
