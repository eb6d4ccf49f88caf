/**
 * Load generator `cluster` (scenario `cluster`): two nodes on a three-master Redis Cluster. The
 * clients connect to node B and every one joins all R rooms; once B reports every room full and a
 * probe per room has reached every member, `messages` sends go through node A's `send()`,
 * round-robin over the rooms. Reports each master's `INFO commandstats` deltas over the sends
 * (SPUBLISH, classic PUBLISH, anything else) and over connect, join and warm-up (the SSUBSCRIBEs),
 * and the deliveries.
 */
import { BENCH_EVENT, BenchRoutes } from '../lib/protocol';
import { fetchJson, sleep } from '../lib/net';
import { commandDelta, commandStats, type TCommandCalls } from '../lib/redis';
import { connectPhase, warmUp, type IConnectResult, type IWarmUp } from './phases';
import { LoadShards } from './shards';
import { emit, post, progress, readInput, roomSize, runMain } from './io';

interface IInput {
  url: string;
  clientBase: string;
  clientPid: number;
  sendBase: string;
  /** Bench bases of A and B, for the Redis messages each received. */
  statBases: string[];
  rooms: string[];
  /** The cluster's masters, ascending. */
  masterPorts: number[];
  count: number;
  window: number;
  messages: number;
  stepTimeoutMs: number;
  handshakeTimeoutMs: number;
}

/** The `result` line. */
export interface IClusterLoadResult {
  connect: IConnectResult;
  warm: IWarmUp[];
  /** Commands per master (ascending ports) over connect, join and warm-up: the nodes' SSUBSCRIBEs, the probes' SPUBLISHes. */
  setup: TCommandCalls[];
  /** Commands per master over the sends. */
  sends: TCommandCalls[];
  received: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  /** Redis pub/sub messages node A and node B received per send (their probed connections). */
  redisInPerSend: (number | null)[];
}

const ROOM_POLL_MS = 20;
/** Lets frames of unlucky probes and the last replies land before a snapshot. */
const SETTLE_MS = 300;

const snapshot = (ports: number[]): Promise<TCommandCalls[]> => Promise.all(ports.map(port => commandStats(port)));

/** Waits until the node at `base` reports at least `members` clients in every room. */
const untilRoomsFull = async (base: string, rooms: string[], members: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  const report = progress('join', members * rooms.length);
  for (;;) {
    const sizes = await Promise.all(rooms.map(room => roomSize(base, room)));
    report(sizes.reduce((a, b) => a + b, 0));
    if (sizes.every(size => size >= members)) return;
    if (Date.now() > deadline) throw new Error(`join: rooms at ${sizes.join('/')} of ${members} after ${timeoutMs} ms`);
    await sleep(ROOM_POLL_MS);
  }
};

const redisIn = (bases: string[]): Promise<(number | null)[]> =>
  Promise.all(bases.map(async base => (await fetchJson<{ redisIn: number | null }>(`${base}${BenchRoutes.STATS}`)).redisIn));

runMain(async () => {
  const input = readInput<IInput>();
  const { rooms, masterPorts } = input;
  const setupBefore = await snapshot(masterPorts);
  const options = {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    encrypted: false,
    match: `"${BENCH_EVENT}"`,
    withLatency: true,
  };
  await LoadShards.with(options, async shards => {
    const connect = await connectPhase(input.clientBase, input.clientPid, shards);
    await shards.join(rooms);
    await untilRoomsFull(input.clientBase, rooms, shards.members, input.stepTimeoutMs);
    const warm: IWarmUp[] = [];
    for (const room of rooms) warm.push(await warmUp(shards, { sendBase: input.sendBase, room, via: 'send', bySeq: true }));
    await sleep(SETTLE_MS);
    const before = await snapshot(masterPorts);
    const inBefore = await redisIn(input.statBases);
    await shards.start(input.messages);
    const report = progress('sends', input.messages);
    for (let k = 0; k < input.messages; k++) {
      await post(input.sendBase, BenchRoutes.BURST, { room: rooms[k % rooms.length]!, count: 1, via: 'send', seq0: k });
      report(k + 1);
    }
    const outcome = await shards.wait(input.stepTimeoutMs);
    await sleep(SETTLE_MS);
    const after = await snapshot(masterPorts);
    const inAfter = await redisIn(input.statBases);
    const result: IClusterLoadResult = {
      connect,
      warm,
      setup: masterPorts.map((_, i) => commandDelta(setupBefore[i]!, before[i]!)),
      sends: masterPorts.map((_, i) => commandDelta(before[i]!, after[i]!)),
      received: outcome.received,
      expected: outcome.expected,
      p50Ms: outcome.p50Ms,
      p99Ms: outcome.p99Ms,
      redisInPerSend: inAfter.map((value, i) => (value === null || inBefore[i] === null ? null : (value - inBefore[i]!) / input.messages)),
    };
    emit({ type: 'result', ...result });
  });
});
