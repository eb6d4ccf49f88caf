/**
 * A real three-master Redis Cluster on free loopback ports, for the tests that prove the
 * brokers work on Cluster too. Started and stopped by PID; data lives in a temp folder.
 */
import { RedisClusterHelper } from '@venizia/ignis-helpers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { spawnRedisServer } from './redis';

const run = (cmd: string[]) => Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });

export class TestRedisCluster {
  /** Which master serves which slots; slots never move in these tests. */
  private slotRanges?: { from: number; to: number; port: number }[];

  private constructor(
    readonly ports: number[],
    private readonly procs: ReturnType<typeof Bun.spawn>[],
    private readonly dir: string,
  ) {}

  static async start(size = 3): Promise<TestRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'ws-cluster-'));
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(await freePort());
    // Ascending, so master i (by port) gets the i-th of redis-cli's even slot ranges.
    ports.sort((a, b) => a - b);
    const procs: ReturnType<typeof Bun.spawn>[] = [];
    const cluster = new TestRedisCluster(ports, procs, dir);
    const cli = Bun.which('redis-cli');
    try {
      if (!cli) throw new Error('redis-cli not found: it ships with redis-server (apt-get install -y redis-server)');
      for (const port of ports) procs.push(await cluster.spawnNode(port));
      const created = run([cli, '--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
      if (created.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
      await cluster.untilOk();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The port of the master that owns `slot` (CLUSTER NODES, read once). */
  ownerOf(slot: number): number {
    if (!this.slotRanges) {
      this.slotRanges = [];
      const nodes = run([Bun.which('redis-cli') ?? 'redis-cli', '-p', String(this.ports[0]), 'cluster', 'nodes']).stdout.toString();
      for (const line of nodes.trim().split('\n')) {
        const fields = line.split(' ');
        const port = Number(fields[1]!.split('@')[0]!.split(':')[1]);
        for (const range of fields.slice(8)) {
          const [from, to = from] = range.split('-').map(Number);
          this.slotRanges.push({ from: from!, to: to!, port });
        }
      }
    }
    const owner = this.slotRanges.find(r => slot >= r.from && slot <= r.to);
    if (!owner) throw new Error(`no master owns slot ${slot}`);
    return owner.port;
  }

  /** PIDs of the running masters, in port order. */
  get pids(): number[] {
    return this.procs.map(proc => proc.pid);
  }

  /** Kills one master (SIGKILL, like a crash), starts it again on its port and config, and waits until the cluster is ok. */
  async restartNode(port: number): Promise<void> {
    const index = this.ports.indexOf(port);
    const proc = this.procs[index];
    if (!proc) throw new Error(`no node of this cluster runs on ${port}`);
    proc.kill('SIGKILL');
    await proc.exited;
    this.procs[index] = await this.spawnNode(port);
    await this.untilOk();
  }

  /** An Ignis RedisClusterHelper over all nodes (the app-side connection; it connects at once). */
  helper(name = 'test-cluster'): RedisClusterHelper {
    return new RedisClusterHelper({ name, nodes: this.ports.map(port => ({ host: '127.0.0.1', port })) });
  }

  private spawnNode(port: number): Promise<ReturnType<typeof Bun.spawn>> {
    return spawnRedisServer(['--port', String(port), '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`), '--dir', this.dir]);
  }

  /** Slots propagate over the cluster bus, which announces nothing: asks each node until it reports ok. */
  private async untilOk(): Promise<void> {
    const cli = Bun.which('redis-cli') ?? 'redis-cli';
    const deadline = Date.now() + 15_000;
    for (const port of this.ports) {
      while (!run([cli, '-p', String(port), 'cluster', 'info']).stdout.toString().includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`cluster did not reach state ok on ${port}`);
        await Bun.sleep(50);
      }
    }
  }

  async stop(): Promise<void> {
    const procs = this.procs.splice(0);
    for (const proc of procs) proc.kill('SIGTERM');
    await Promise.all(procs.map(p => p.exited));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
