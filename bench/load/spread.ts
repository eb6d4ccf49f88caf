/**
 * Load generator `spread`: three nodes share Redis; clients join a room on node C only; messages
 * are sent through node A's `send()`. Reports how many Redis messages each node received per
 * message sent (the cost of subscribing everywhere) and whether every client got every message.
 */
import { BenchRoutes } from '../lib/protocol';
import { fetchJson, sleep } from '../lib/net';
import { connectPhase, fanoutPhase, joinPhase, warmUp } from './phases';
import { LoadShards } from './shards';
import { emit, readInput, runMain } from './io';

interface IInput {
  url: string;
  clientBase: string;
  clientPid: number;
  sendBase: string;
  statBases: string[];
  room: string;
  count: number;
  window: number;
  messages: number;
  stepTimeoutMs: number;
  handshakeTimeoutMs: number;
}

interface INodeStats {
  redisIn: number | null;
  helper: unknown;
}

const snapshot = (bases: string[]): Promise<INodeStats[]> =>
  Promise.all(bases.map(base => fetchJson<INodeStats>(`${base}${BenchRoutes.STATS}`)));

/** Connect, join, warm up, then the burst through A with each node's Redis counters read around it. */
const measure = async (input: IInput, shards: LoadShards): Promise<Record<string, unknown>> => {
  await connectPhase(input.clientBase, input.clientPid, shards);
  await joinPhase(shards, input.clientBase, input.room, input.stepTimeoutMs);
  const warm = await warmUp(shards, { sendBase: input.sendBase, room: input.room, via: 'send', bySeq: true });
  await sleep(300);
  const before = await snapshot(input.statBases);
  const burst = await fanoutPhase(shards, {
    sendBase: input.sendBase,
    room: input.room,
    via: 'send',
    count: input.messages,
    cpuPid: input.clientPid,
    cpuBase: input.clientBase,
    settleBases: input.statBases,
    timeoutMs: input.stepTimeoutMs,
  });
  await sleep(500);
  const after = await snapshot(input.statBases);
  const perNode = after.map((node, i) =>
    node.redisIn === null || before[i]!.redisIn === null ? null : (node.redisIn - before[i]!.redisIn) / input.messages,
  );
  // Our helper counts cross-instance messages itself (`getStats().received`); upstream has no stats.
  const ownCount = (node: INodeStats): number | undefined => {
    const received = (node.helper as { received?: unknown } | null)?.received;
    return typeof received === 'number' ? received : undefined;
  };
  const helperPerNode = after.map((node, i) => {
    const now = ownCount(node);
    const then = ownCount(before[i]!);
    return now === undefined || then === undefined ? null : (now - then) / input.messages;
  });
  return { perNode, helperPerNode, warm, burst, helperStats: after.map(node => node.helper) };
};

runMain(async () => {
  const input = readInput<IInput>();
  const options = {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    withLatency: true,
  };
  await LoadShards.with(options, async shards => {
    emit({ type: 'result', ...(await measure(input, shards)) });
  });
});
