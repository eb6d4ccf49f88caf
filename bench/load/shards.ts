/**
 * The clients of a load generator split over `BENCH_LOAD_PROCS` worker processes (`worker.ts`),
 * so one process's CPU does not cap what a row measures. The load script (the coordinator)
 * talks to the target's HTTP routes itself and uses this class for everything client-side:
 * each call goes to every worker at once and their answers are merged.
 */
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { loadConfig } from '../lib/config';
import { sleep } from '../lib/net';
import { BENCH_EVENT } from '../lib/protocol';
import { mergeOutcomes, type IPhaseOutcome } from './sink';
import { decodeSamples, readLines, type IShardOps, type IShardReply, type IShardSetup, type IShardStatus, type TShardOp } from './shard-rpc';

/** What every worker shares; counts and windows are split between them. Defaults: plain clients counting bench frames, no latency. */
export type TShardsOptions = Omit<IShardSetup, 'first' | 'encrypted' | 'match' | 'withLatency'> &
  Partial<Pick<IShardSetup, 'encrypted' | 'match' | 'withLatency'>>;

const DEFAULTS = { encrypted: false, match: `"${BENCH_EVENT}"`, withLatency: false };

/** Cores the load processes used in a phase. */
export interface ILoadCores {
  /** The busiest worker process (≥ 0.9: that process is the bottleneck). */
  loadCores: number;
  /** All worker processes together. */
  loadCoresTotal: number;
}

/** All workers' connect, merged. */
export interface IShardsConnect extends ILoadCores {
  connected: number;
  failed: number;
  /** From the first worker's start to the last worker's end. */
  elapsedMs: number;
}

const WORKER_SCRIPT = join(import.meta.dir, 'worker.ts');
const STOP_GRACE_MS = 2000;
const WATCH_MS = 500;

/** `total` in `parts` near-equal shares (the first ones get the remainder). */
const splitEven = (total: number, parts: number): number[] =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

const coresOf = (perWorker: number[]): ILoadCores => ({
  loadCores: Math.max(...perWorker),
  loadCoresTotal: perWorker.reduce((sum, cores) => sum + cores, 0),
});

/** One worker process and its pending requests. */
class ShardProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  private exitReason?: string;

  constructor(
    private readonly index: number,
    private readonly proc: Subprocess<'pipe', 'pipe', 'inherit'>,
  ) {
    void readLines(proc.stdout, line => this.answer(line));
    void proc.exited.then(code => {
      this.exitReason = `load worker ${index} (pid ${proc.pid}) exited with ${code}`;
      for (const { reject } of this.pending.values()) reject(new Error(this.exitReason));
      this.pending.clear();
    });
  }

  /** Sends one request and resolves with the worker's result. */
  call<K extends TShardOp>(op: K, args: IShardOps[K]['args']): Promise<IShardOps[K]['result']> {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: result => resolve(result as IShardOps[K]['result']), reject });
      this.proc.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
      this.proc.stdin.flush();
    });
  }

  /** Closes its stdin (the worker exits on that); SIGKILL by PID if it has not exited after a grace period. */
  async stop(): Promise<void> {
    if (this.exitReason) return;
    this.proc.stdin.end();
    const exited = await Promise.race([this.proc.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!exited) {
      this.proc.kill('SIGKILL');
      await this.proc.exited;
    }
  }

  private answer(line: string): void {
    if (!line.startsWith('{')) return;
    const reply = JSON.parse(line) as IShardReply;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.error === undefined) waiter.resolve(reply.result);
    else waiter.reject(new Error(`load worker ${this.index}: ${reply.error}`));
  }
}

/** The clients of one load generator, held by several worker processes. */
export class LoadShards {
  /** Authenticated clients over all workers (after `connect()`). */
  members = 0;

  private constructor(
    private readonly workers: ShardProcess[],
    private readonly match: string,
    /** Clients asked for. */
    readonly count: number,
  ) {}

  /** Spawns `procs` workers (at most one per client) holding near-equal shares of the clients and of the handshake window. */
  static start(options: TShardsOptions, procs = loadConfig().loadProcs): LoadShards {
    const opts = { ...DEFAULTS, ...options };
    const parts = Math.max(1, Math.min(Math.floor(procs), opts.count));
    const counts = splitEven(opts.count, parts);
    const windows = splitEven(Math.max(opts.window, parts), parts);
    let first = 0;
    const workers = counts.map((count, index) => {
      const setup: IShardSetup = { ...opts, first, count, window: windows[index]! };
      first += count;
      const proc = Bun.spawn([process.execPath, WORKER_SCRIPT, JSON.stringify(setup)], {
        cwd: join(import.meta.dir, '..', '..'),
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'inherit',
      });
      return new ShardProcess(index, proc);
    });
    return new LoadShards(workers, opts.match, opts.count);
  }

  /** Starts the workers, runs `body` with them, and stops them whatever happens (every load script's frame). */
  static async with<T>(options: TShardsOptions, body: (shards: LoadShards) => Promise<T>): Promise<T> {
    const shards = LoadShards.start(options);
    try {
      return await body(shards);
    } finally {
      await shards.close();
    }
  }

  /** Worker processes. */
  get procs(): number {
    return this.workers.length;
  }

  /** Every worker connects its share at once; rate-relevant time runs until the last one is done. */
  async connect(onProgress: (connected: number) => void): Promise<IShardsConnect> {
    const unwatch = this.watch(status => onProgress(status.connected));
    const parts = await this.all('connect', {}).finally(unwatch);
    this.members = parts.reduce((sum, part) => sum + part.connected, 0);
    onProgress(this.members);
    return {
      connected: this.members,
      failed: parts.reduce((sum, part) => sum + part.failed, 0),
      elapsedMs: Math.max(...parts.map(part => part.endAt)) - Math.min(...parts.map(part => part.startAt)),
      ...coresOf(parts.map(part => part.cores)),
    };
  }

  /** Every client asks to join `rooms`. */
  async join(rooms: string[]): Promise<void> {
    await this.all('join', { rooms });
  }

  /** Starts a phase: `perMember` frames expected per client, counted when they contain `match` (default: the setup's). */
  async start(perMember: number, match = this.match): Promise<void> {
    await this.all('start', { perMember, match });
  }

  /** Waits until every worker has its frames or `timeoutMs` passed; merges counts, times and latency samples. */
  async wait(timeoutMs: number): Promise<IPhaseOutcome & ILoadCores> {
    const parts = await this.all('wait', { timeoutMs });
    const outcome = mergeOutcomes(parts.map(part => ({ ...part, latencies: decodeSamples(part.latencies) })));
    return { ...outcome, ...coresOf(parts.map(part => part.cores)) };
  }

  /** The workers' counters, summed. */
  async status(): Promise<IShardStatus> {
    const parts = await this.all('status', {});
    const sum = (key: keyof IShardStatus): number => parts.reduce((total, part) => total + part[key], 0);
    return { connected: sum('connected'), received: sum('received'), dropped: sum('dropped'), heartbeats: sum('heartbeats') };
  }

  /** Full GC in every worker. */
  async gc(): Promise<void> {
    await this.all('gc', {});
  }

  /** Calls `onStatus` with the summed counters every 500 ms (never two reads at once) until the returned function is called. */
  watch(onStatus: (status: IShardStatus) => void): () => void {
    let active = true;
    void (async () => {
      while (active) {
        await sleep(WATCH_MS);
        const status = await this.status().catch(() => undefined);
        if (active && status) onStatus(status);
      }
    })();
    return () => {
      active = false;
    };
  }

  /** Closes every client and stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map(worker => worker.stop()));
  }

  private all<K extends TShardOp>(op: K, args: IShardOps[K]['args']): Promise<IShardOps[K]['result'][]> {
    return Promise.all(this.workers.map(worker => worker.call(op, args)));
  }
}
