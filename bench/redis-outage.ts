/**
 * What a node costs while Redis is paused, and how long its shutdown takes then.
 *
 * `bun bench/redis-outage.ts [runs=3] [pauseSeconds=10]` starts a throw-away redis-server and,
 * for each run, a node in a child process (a `WebSocketServerHelper` on Redis) that calls
 * `send()` to a room at 2,000 messages/s of 1 KiB. After 5 s of warm-up Redis is paused
 * (SIGSTOP) for `pauseSeconds`, then resumed (SIGCONT) for 5 s. The growth reported is the
 * child's resident memory after a full GC (`Bun.gc(true)`) at the end of the pause minus the same
 * before it: without the forced GC, resident memory of a node under this load saw-tooths by
 * ~80 MiB on its own (JSC's collection cycle), which would drown the pause's cost. The peak
 * reported is the highest /proc reading (every 250 ms, no forced GC) over the whole run.
 * `OUTAGE_CONTROL=1` runs the same timeline without pausing. Then Redis is paused again and the child shuts its helper
 * down; the time `shutdown()` takes is reported (capped at 15 s, after which Redis is resumed).
 * A subscriber in this process counts what reached Redis, to set against what the node counted
 * as dropped. Prints one line per run and the medians.
 */
import { RedisHelper } from '@venizia/ignis-helpers';
import type { IWebSocketData } from '../src';
import { readRssKiB } from './lib/proc';
import { startRedis } from './lib/redis';
import { sleep } from './lib/net';

const RATE = 2_000;
const TICK_MS = 10;
const PAYLOAD = 'x'.repeat(1024);
const ROOM = 'outage-bench';
const SHUTDOWN_CAP_MS = 15_000;
/** OUTAGE_CONTROL=1: the same run with Redis never paused, to tell the pause's cost from the load's. */
const CONTROL = process.env.OUTAGE_CONTROL === '1';

/** The node: publishes on `START`, stops on `STOP`, prints its stats on `STATS`, shuts down on `SHUTDOWN`. */
const runNode = async (redisPort: number): Promise<void> => {
  const { WebSocketServerHelper } = await import('../src');
  const server = Bun.serve<IWebSocketData>({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('no', { status: 404 }) });
  const helper = new WebSocketServerHelper({
    identifier: 'outage-bench',
    server,
    redisConnection: new RedisHelper({ name: 'outage-bench', host: '127.0.0.1', port: redisPort, password: '', autoConnect: false }),
    authenticateFn: () => null,
  });
  await helper.configure();
  let seq = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const perTick = (RATE * TICK_MS) / 1000;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('READY');
  const input = Bun.stdin.stream().getReader();
  const decoder = new TextDecoder();
  for (let read = await input.read(); !read.done; read = await input.read()) {
    for (const command of decoder.decode(read.value).split('\n').filter(Boolean)) {
      if (command === 'START') {
        ticker = setInterval(() => {
          for (let i = 0; i < perTick; i++) helper.send({ destination: ROOM, payload: { topic: 'load', data: { seq: seq++, pad: PAYLOAD } } });
        }, TICK_MS);
      } else if (command === 'STOP') {
        clearInterval(ticker);
        say(`SENT ${seq}`);
      } else if (command === 'MEM') {
        // A full collection first, so resident memory shows what is held rather than where the GC cycle happens to be.
        Bun.gc(true);
        say(`MEM ${process.memoryUsage().rss}`);
      } else if (command === 'STATS') {
        say(`STATS ${JSON.stringify(helper.getStats())}`);
      } else if (command === 'SHUTDOWN') {
        const started = performance.now();
        await helper.shutdown();
        say(`SHUTDOWN ${Math.round(performance.now() - started)}`);
        server.stop(true);
        process.exit(0);
      }
    }
  }
};

/** Lines printed by the child, awaited one prefix at a time. */
const lineReader = (stream: ReadableStream<Uint8Array>) => {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  void (async () => {
    let buffered = '';
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    }
  })();
  return async (prefix: string, timeoutMs: number): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = lines.findIndex(line => line.startsWith(prefix));
      if (index >= 0) return lines.splice(index, 1)[0]!.slice(prefix.length).trim();
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>(resolve => {
        waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
  };
};

interface IRun {
  baselineMiB: number;
  endOfPauseMiB: number;
  peakMiB: number;
  growthMiB: number;
  growthMiBPerSecond: number;
  shutdownMs: number;
  shutdownCapped: boolean;
  sent: number;
  reachedRedis: number;
  stats: Record<string, number>;
}

const mib = (kib: number) => kib / 1024;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const oneRun = async (pauseSeconds: number): Promise<IRun> => {
  const redis = await startRedis();
  const counter = new RedisHelper({ name: 'outage-counter', host: '127.0.0.1', port: redis.port, password: '', autoConnect: false }).getClient();
  await counter.connect();
  let reachedRedis = 0;
  counter.on('message', () => reachedRedis++);
  await counter.subscribe(`ws:room:${ROOM}`);
  const child = Bun.spawn([process.execPath, import.meta.path, '--node', String(redis.port)], {
    cwd: `${import.meta.dir}/..`,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'ignore',
  });
  const next = lineReader(child.stdout as ReadableStream<Uint8Array>);
  const tell = (command: string) => {
    child.stdin.write(`${command}\n`);
    child.stdin.flush();
  };
  try {
    if ((await next('READY', 20_000)) === undefined) throw new Error('node did not start');
    tell('START');
    const sample = () => mib(readRssKiB(child.pid));
    const watch = async (seconds: number) => {
      let peak = 0;
      let last = 0;
      for (let t = 0; t < seconds * 1000; t += 250) {
        await sleep(250);
        last = sample();
        peak = Math.max(peak, last);
      }
      return { peak, last };
    };
    const collected = async () => {
      tell('MEM');
      return Number(await next('MEM', 10_000)) / 1024 / 1024;
    };
    const warm = await watch(5);
    const baseline = await collected();
    if (!CONTROL) process.kill(redis.pid, 'SIGSTOP');
    let paused: { peak: number; last: number };
    let endOfPause: number;
    try {
      paused = await watch(pauseSeconds);
      endOfPause = await collected();
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    const after = await watch(5);
    tell('STOP');
    const sent = Number(await next('SENT', 5_000));
    // Let what Redis still has reach the counter: stop once nothing arrived for a second.
    for (let seen = -1; seen !== reachedRedis; ) {
      seen = reachedRedis;
      await sleep(1_000);
    }
    tell('STATS');
    const stats = JSON.parse((await next('STATS', 5_000)) ?? '{}') as Record<string, number>;
    process.kill(redis.pid, 'SIGSTOP');
    let shutdown: string | undefined;
    try {
      tell('SHUTDOWN');
      shutdown = await next('SHUTDOWN', SHUTDOWN_CAP_MS);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    const growthMiB = endOfPause - baseline;
    return {
      baselineMiB: baseline,
      endOfPauseMiB: endOfPause,
      peakMiB: Math.max(warm.peak, paused.peak, after.peak),
      growthMiB,
      growthMiBPerSecond: growthMiB / pauseSeconds,
      shutdownMs: shutdown === undefined ? SHUTDOWN_CAP_MS : Number(shutdown),
      shutdownCapped: shutdown === undefined,
      sent,
      reachedRedis,
      stats,
    };
  } finally {
    child.kill('SIGKILL');
    await child.exited;
    counter.disconnect();
    await redis.stop();
  }
};

if (process.argv[2] === '--node') {
  await runNode(Number(process.argv[3]));
} else {
  const runs = Number(process.argv[2] ?? 3);
  const pauseSeconds = Number(process.argv[3] ?? 10);
  const results: IRun[] = [];
  const f = (n: number) => n.toFixed(1);
  for (let i = 0; i < runs; i++) {
    const r = await oneRun(pauseSeconds);
    results.push(r);
    const dropped = Object.entries(r.stats)
      .filter(([key, value]) => key.startsWith('publish') && value > 0)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    console.log(
      `run ${i + 1}: RSS after a full GC ${f(r.baselineMiB)} -> ${f(r.endOfPauseMiB)} MiB over the ${pauseSeconds} s ${CONTROL ? 'window (no pause)' : 'pause'} ` +
        `(+${f(r.growthMiB)} MiB, ${f(r.growthMiBPerSecond)} MiB/s), RSS peak without forced GC ${f(r.peakMiB)} MiB; ` +
        `shutdown while paused ${r.shutdownCapped ? `>= ${r.shutdownMs} ms (had not returned; Redis resumed)` : `${r.shutdownMs} ms`}; ` +
        `sent ${r.sent}, reached Redis ${r.reachedRedis}, ${dropped || 'no drops counted'}`,
    );
  }
  const pick = (key: keyof IRun) => results.map(r => Number(r[key]));
  const spread = (key: keyof IRun) => `median ${f(median(pick(key)))} (${f(Math.min(...pick(key)))}–${f(Math.max(...pick(key)))})`;
  console.log(`growth over the pause, MiB: ${spread('growthMiB')}`);
  console.log(`growth rate, MiB/s: ${spread('growthMiBPerSecond')}`);
  console.log(`peak RSS, MiB: ${spread('peakMiB')}`);
  console.log(`shutdown while paused, ms: ${spread('shutdownMs')}${results.some(r => r.shutdownCapped) ? ` (capped at ${SHUTDOWN_CAP_MS})` : ''}`);
}
