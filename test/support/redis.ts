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

/** A redis-server process owned by one test file. */
export class TestRedis {
  private proc?: ReturnType<typeof Bun.spawn>;

  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.launch();
    return redis;
  }

  /** A Ignis RedisHelper pointing at this server (the app-side connection). */
  helper(name = 'test-redis'): RedisHelper {
    return new RedisHelper({ name, host: '127.0.0.1', port: this.port, password: '', autoConnect: false });
  }

  /** Kills the server (SIGKILL, like a crash) and waits for it to exit. */
  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    proc.kill('SIGKILL');
    await proc.exited;
  }

  /** Starts the server again on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    proc.kill('SIGTERM');
    await proc.exited;
  }

  private async launch(): Promise<void> {
    const proc = Bun.spawn(
      [redisServerPath(), '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { stdout: 'pipe', stderr: 'pipe' },
    );
    this.proc = proc;
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const deadline = Date.now() + 10_000;
    while (!seen.includes('Ready to accept connections')) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}: ${seen}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`redis-server exited during start on port ${this.port}: ${seen}`);
      seen += decoder.decode(value);
    }
    reader.releaseLock();
    // Keep draining so a chatty server never blocks on a full pipe.
    void (proc.stdout as ReadableStream<Uint8Array>).pipeTo(new WritableStream());
  }
}
