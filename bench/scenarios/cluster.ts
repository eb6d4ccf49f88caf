/**
 * Scenario `cluster` (ours-redis only, issue 13): a real three-master Redis Cluster on free loopback
 * ports, two ours nodes on it, clients on B that all join R rooms whose channels spread over the
 * masters, sends through A's `send()` round-robin over the rooms. From each master's
 * `INFO commandstats`: the SPUBLISH and classic PUBLISH commands per send it served (sharded
 * pub/sub: a channel's messages touch only its shard), how many of the rooms it owns, and whether
 * every client got every send.
 */
import { runLoad } from '../lib/child';
import { CLUSTER_MASTERS, pickShardRooms, slotRangeMismatch, type IShardRooms } from '../lib/redis-cluster';
import type { TCommandCalls } from '../lib/redis';
import type { IClusterLoadResult } from '../load/cluster';
import { TestRedisCluster } from '../../test/support/redis-cluster';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { startNodes, stopAll, type IRunningTarget, type TTargetName } from './targets';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const START_ATTEMPTS = 3;
const DETAIL_KEY = 'cluster/ours-redis';

/** Starts the cluster; a port found free can be taken (or its cluster-bus port +10000 be busy) before redis-server binds it, so it tries a few times. */
const startCluster = async (): Promise<TestRedisCluster> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestRedisCluster.start(CLUSTER_MASTERS);
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
    }
  }
};

const callsOf = (masters: TCommandCalls[], command: string): number[] => masters.map(calls => calls[command] ?? 0);
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Commands other than SPUBLISH the masters served during the sends, as `master i: cmd n`. */
const otherSendCommands = (sends: TCommandCalls[]): string[] =>
  sends.flatMap((calls, i) =>
    Object.entries(calls)
      .filter(([command]) => command !== 'spublish')
      .map(([command, calls]) => `master ${i + 1}: ${command} ${calls}`),
  );

/**
 * The notes of the kept runs (their details; a run repeated because of foreign load left none):
 * SSUBSCRIBEs per master over connect + join, other commands during the sends, missing deliveries.
 */
const noteKeptRuns = (ctx: IScenarioContext): void => {
  const kept = (ctx.store.data.details[DETAIL_KEY] ?? []) as IClusterLoadResult[];
  kept.forEach((r, i) => {
    const run = `cluster run ${i + 1}`;
    const ssubscribe = callsOf(r.setup, 'ssubscribe');
    const clients = r.connect.connected;
    ctx.store.note(
      `${run}: SSUBSCRIBE commands per master while ${clients} clients connected to B and joined the rooms: ${ssubscribe.join(' / ')} ` +
        `(${fmt(sum(ssubscribe) / Math.max(clients, 1), 2)} per client: one SSUBSCRIBE may only name channels of one hash slot, so a connection's own client channel and its user's channel take one each; every bench client is its own user)`,
    );
    const others = otherSendCommands(r.sends);
    if (others.length) ctx.store.note(`${run}: besides SPUBLISH the masters served during the sends: ${others.join(', ')}`);
    if (r.received < r.expected) ctx.store.note(`${run}: ${r.expected - r.received} of ${r.expected} deliveries missing`);
  });
};

/** One run: nodes A and B on the cluster, the load, its rows. */
const runOnce = async (ctx: IScenarioContext, cluster: TestRedisCluster, picked: IShardRooms, name: TTargetName, label: string): Promise<string> => {
  const c = ctx.config;
  const nodes = await startNodes(name, 2, { clusterPorts: cluster.ports });
  const [a, b] = nodes as [IRunningTarget, IRunningTarget];
  try {
    const input = {
      url: b.wsUrl,
      clientBase: b.base,
      clientPid: b.pid,
      sendBase: a.base,
      statBases: [a.base, b.base],
      rooms: picked.rooms,
      masterPorts: cluster.ports,
      count: c.shardClients,
      window: c.connectWindow,
      messages: c.shardMessages,
      stepTimeoutMs: c.stepTimeoutSeconds * 1000,
      handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
    };
    const timeoutMs = c.stepTimeoutSeconds * 6000;
    const r = (await runLoad('load-cluster', loadScript('cluster.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as IClusterLoadResult;
    const spublish = callsOf(r.sends, 'spublish').map(calls => calls / c.shardMessages);
    const publish = sum(callsOf(r.sends, 'publish')) / c.shardMessages;
    spublish.forEach((perSend, i) => ctx.store.add(`shard_spublish_${i + 1}`, name, perSend));
    ctx.store.add('shard_spublish_total', name, sum(spublish));
    ctx.store.add('shard_publish_total', name, publish);
    cluster.ports.forEach((_, i) => ctx.store.add(`shard_rooms_${i + 1}`, name, picked.masters.filter(m => m === i).length));
    ctx.store.add('shard_delivered', name, (100 * r.received) / r.expected);
    ctx.store.detail(DETAIL_KEY, { ...r, rooms: picked, masterPorts: cluster.ports });
    const redisIn = r.redisInPerSend.map(v => fmt(v ?? NaN, 2)).join('/');
    return `SPUBLISH per send by master ${spublish.map(v => fmt(v, 2)).join('/')}, PUBLISH ${fmt(publish, 2)}, Redis msgs per send A/B ${redisIn}, delivered ${r.received}/${r.expected}`;
  } finally {
    await stopAll(nodes);
  }
};

/** Starts the cluster, runs every repeat on it, and stops it by PID (also on an interrupt). */
export const runCluster = async (ctx: IScenarioContext): Promise<void> => {
  if (!ctx.available.includes('ours-redis')) {
    ctx.store.note('cluster: ours-redis not available, skipped');
    return;
  }
  let cluster: TestRedisCluster | undefined;
  const stopCluster = (): void => void cluster?.stop();
  for (const signal of SIGNALS) process.once(signal, stopCluster);
  try {
    let picked: IShardRooms;
    try {
      cluster = await startCluster();
      ctx.log(`redis cluster: masters ${cluster.ports.join(', ')} (pids ${cluster.pids.join(', ')})`);
      picked = await pickShardRooms(cluster, ctx.config.shardRooms);
    } catch (error) {
      ctx.store.note(`cluster: skipped, the Redis Cluster could not be set up: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const mismatch = slotRangeMismatch(cluster);
    if (mismatch) ctx.store.note(`cluster: the masters' slots differ from the report's labels: ${mismatch}`);
    ctx.log(`cluster rooms: ${picked.rooms.map((room, i) => `${room}→slot ${picked.slots[i]} master ${picked.masters[i]! + 1}`).join(', ')}`);
    const running = cluster;
    // The masters are benchmark processes: their CPU is not foreign load.
    const clusterCtx: IScenarioContext = { ...ctx, helperPids: [...ctx.helperPids, ...running.pids] };
    await eachRun(clusterCtx, 'cluster', ['ours-redis'], (name, label) => runOnce(clusterCtx, running, picked, name, label));
    noteKeptRuns(ctx);
  } finally {
    for (const signal of SIGNALS) process.off(signal, stopCluster);
    await cluster?.stop();
  }
};
