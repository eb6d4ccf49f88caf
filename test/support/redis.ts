/**
 * Starts a real redis-server on a free loopback port for a test file and stops it by PID.
 * Nothing is persisted; every instance is private to the test that started it.
 */
import { RedisHelper } from '@venizia/ignis-helpers';
import { freePort } from './ports';

const INSTALL_HINT =
  'redis-server was not found on PATH. Install it: `apt-get install -y redis-server` (Debian/Ubuntu), ' +
  '`brew install redis` (macOS). The tests start and stop their own instance on a free loopback port.';

export const redisServerPath = (): string => {
  const found = Bun.which('redis-server') ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(p => Bun.file(p).size > 0);
  if (!found) throw new Error(INSTALL_HINT);
  return found;
};

/** An Ignis RedisHelper for the redis-server on a loopback port; it connects when asked to. */
export const redisHelperAt = (port: number, name = 'test-redis'): RedisHelper =>
  new RedisHelper({ name, host: '127.0.0.1', port, password: '', autoConnect: false });

/** A redis-server process owned by one test file. */
export class TestRedis {
  private proc?: ReturnType<typeof Bun.spawn>;
  private paused = false;

  private constructor(readonly port: number) {}

  /** PID of the running redis-server (the process this harness started). */
  get pid(): number {
    if (!this.proc) throw new Error('redis-server is not running');
    return this.proc.pid;
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open, nothing is answered, as with a Redis
   * that hangs. Always `resume()` in a `finally` (`stop()` resumes it first; `kill()` kills it paused).
   */
  pause(): void {
    process.kill(this.pid, 'SIGSTOP');
    this.paused = true;
  }

  /** Lets a paused server run again (SIGCONT); it answers everything it was sent meanwhile. */
  resume(): void {
    if (!this.paused || !this.proc) return;
    process.kill(this.proc.pid, 'SIGCONT');
    this.paused = false;
  }

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.launch();
    return redis;
  }

  /** A Ignis RedisHelper pointing at this server (the app-side connection). */
  helper(name = 'test-redis'): RedisHelper {
    return redisHelperAt(this.port, name);
  }

  /** Kills the server (SIGKILL, like a crash) and waits for it to exit. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** Starts the server again on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private async end(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    // A stopped process acts on SIGTERM only once continued; SIGKILL ends it as it is, unanswered commands and all.
    if (this.paused && signal !== 'SIGKILL') process.kill(proc.pid, 'SIGCONT');
    this.paused = false;
    proc.kill(signal);
    await proc.exited;
  }

  private async launch(): Promise<void> {
    this.proc = await spawnRedisServer(['--port', String(this.port)]);
  }
}

/**
 * Starts `redis-server --bind 127.0.0.1 ...args` (nothing persisted) and resolves once it is
 * ready to accept connections; its output keeps being drained so it never blocks on a full pipe.
 */
export const spawnRedisServer = async (args: string[]): Promise<ReturnType<typeof Bun.spawn>> => {
  const proc = Bun.spawn(
    [redisServerPath(), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...args],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  try {
    while (!seen.includes('Ready to accept connections')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`redis-server ${args.join(' ')} exited or hung during start: ${seen}`);
      seen += decoder.decode(value);
    }
  } finally {
    clearTimeout(deadline);
  }
  reader.releaseLock();
  void (proc.stdout as ReadableStream<Uint8Array>).pipeTo(new WritableStream());
  void (proc.stderr as ReadableStream<Uint8Array>).pipeTo(new WritableStream());
  return proc;
};

/**
 * Resolves once at least `count` connections are subscribed to `channel`, asked through
 * `monitor` (a connected client). Redis announces no subscription change, so this asks every 50 ms.
 */
export const untilSubscribers = async (monitor: RedisHelper, channel: string, count: number, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [, subscribed] = await monitor.execute<[string, number]>('PUBSUB', ['NUMSUB', channel]);
    if (Number(subscribed) >= count) return;
    if (Date.now() > deadline) throw new Error(`${subscribed} of ${count} connection(s) subscribed to ${channel} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
};
