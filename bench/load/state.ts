/**
 * Load generator `state` (issue 12 measures), two modes:
 * - `presence`: N clients connect, authenticate and join one room; the server's RSS and CPU per
 *   connection over connect + join (after a full GC on both sides).
 * - `reconnect`: N clients on node A join a room with history and receive a few messages; the
 *   harness stops A when told (`phase: 'kill'`); `missed` messages are sent through node B while
 *   they are away; then all N reconnect to B at once and re-join with `since`. Reports the time
 *   until every client got `recovered: true` with every missed message, and the Redis commands
 *   (INFO commandstats deltas) per recovered client.
 */
import { BenchRoutes, tokenFor } from '../lib/protocol';
import { sleep } from '../lib/net';
import { commandStats } from '../lib/redis';
import { ClientPool } from './pool';
import { cpuDelta, emit, post, progress, readInput, roomSize, runMain, settledSample } from './io';

interface IInput {
  mode: 'presence' | 'reconnect';
  url: string;
  base: string;
  pid: number;
  /** reconnect: the surviving node. */
  urlB?: string;
  baseB?: string;
  redisPort?: number;
  room: string;
  count: number;
  window: number;
  missed?: number;
  stepTimeoutMs: number;
  handshakeTimeoutMs: number;
}

interface IPos {
  offset: string;
  epoch: string;
}

interface IFrame {
  event?: string;
  data?: { history?: Record<string, { pos?: IPos; recovered?: boolean; messages?: unknown[] }> };
  pos?: IPos;
}

const POLL_MS = 20;

/** Waits until `done()` or throws after `timeoutMs`. */
const until = async (what: string, done: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
};

const runPresence = async (input: IInput): Promise<void> => {
  const before = await settledSample(input.base, input.pid);
  const pool = new ClientPool({
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    authData: n => ({ type: 'Bearer', token: tokenFor(n) }),
    onFrame: () => {},
    onProgress: progress('connect', input.count),
  });
  const outcome = await pool.connect();
  if (outcome.connected === 0) throw new Error(`connect: none of ${input.count} clients authenticated`);
  pool.join([input.room]);
  const deadline = Date.now() + input.stepTimeoutMs;
  while ((await roomSize(input.base, input.room)) < outcome.connected) {
    if (Date.now() > deadline) throw new Error('join: not all clients in the room in time');
    await sleep(POLL_MS);
  }
  const after = await settledSample(input.base, input.pid);
  const n = outcome.connected;
  pool.close();
  emit({
    type: 'result',
    connected: n,
    failed: outcome.failed,
    kibPerConn: (after.rssKiB - before.rssKiB) / n,
    cpuMsPerConn: cpuDelta(before, after).ms / n,
    cpuMsPerConnTicks: cpuDelta(before, after).ticksMs / n,
  });
};

const runReconnect = async (input: IInput): Promise<void> => {
  const missed = input.missed ?? 100;
  let last: IPos | undefined;
  let liveFrames = 0;
  let joinedWithPos = 0;
  const onFirstFrame = (text: string): void => {
    const frame = JSON.parse(text) as IFrame;
    if (frame.event === 'joined' && frame.data?.history?.[input.room]?.pos) joinedWithPos++;
    else if (frame.pos) {
      liveFrames++;
      last = frame.pos;
    }
  };
  const first = new ClientPool({
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    authData: n => ({ type: 'Bearer', token: tokenFor(n) }),
    onFrame: onFirstFrame,
    onProgress: progress('connect', input.count),
  });
  const outcome = await first.connect();
  const members = outcome.connected;
  if (members < input.count) throw new Error(`connect: ${members}/${input.count} clients authenticated`);
  first.join([input.room]);
  await until('join with history', () => joinedWithPos >= members, input.stepTimeoutMs);
  // Until the room's Redis subscription on A is live, a send via B may miss A's members: probe.
  const warmDeadline = Date.now() + input.stepTimeoutMs;
  for (let seq = 0; liveFrames < members; seq++) {
    if (Date.now() > warmDeadline) throw new Error(`warm-up: ${liveFrames}/${members} frames`);
    liveFrames = 0;
    await post(input.baseB!, BenchRoutes.BURST, { room: input.room, count: 1, seq0: seq, via: 'send' });
    await sleep(100);
  }
  const since = last!;
  emit({ type: 'progress', phase: 'kill', done: 0, total: 1 });
  await until('clients see node A go', () => first.dropped >= members, input.stepTimeoutMs);
  // Messages sent while the clients are away, then read back after the reconnect.
  await post(input.baseB!, BenchRoutes.BURST, { room: input.room, count: missed, seq0: 10_000, via: 'send' });
  const sinceMap = { [input.room]: since };
  const joinFrame = JSON.stringify({ event: 'join', data: { rooms: [input.room], since: sinceMap } });
  const report = progress('reconnect', members);
  let recovered = 0;
  let notRecovered = 0;
  const readsBefore = await commandStats(input.redisPort!);
  const started = performance.now();
  let allAt = 0;
  const second = new ClientPool({
    url: input.urlB!,
    count: members,
    window: members,
    timeoutMs: input.stepTimeoutMs,
    authData: n => ({ type: 'Bearer', token: tokenFor(n) }),
    onFrame: text => {
      if (!text.includes('"joined"')) return;
      const entry = (JSON.parse(text) as IFrame).data?.history?.[input.room];
      if (entry?.recovered === true && entry.messages?.length === missed) recovered++;
      else notRecovered++;
      if (recovered + notRecovered === members) allAt = performance.now();
    },
    // Each client sends its `join` with `since` as soon as it is authenticated.
    onProgress: connected => {
      second.sockets[connected - 1]?.send(joinFrame);
      report(connected);
    },
  });
  const again = await second.connect();
  await until('recovery', () => recovered + notRecovered >= again.connected, input.stepTimeoutMs);
  const allRecoveredMs = (allAt || performance.now()) - started;
  const readsAfter = await commandStats(input.redisPort!);
  const perClient: Record<string, number> = {};
  for (const [command, calls] of Object.entries(readsAfter)) {
    const delta = calls - (readsBefore[command] ?? 0);
    if (delta > 0) perClient[command] = delta / Math.max(recovered, 1);
  }
  const streamReads = ['xrange', 'xrevrange', 'xread'].reduce((sum, c) => sum + (perClient[c] ?? 0), 0);
  const total = Object.values(perClient).reduce((sum, v) => sum + v, 0);
  second.close();
  emit({
    type: 'result',
    members,
    reconnected: again.connected,
    recovered,
    notRecovered,
    missed,
    allRecoveredMs,
    streamReadsPerClient: streamReads,
    commandsPerClient: total,
    perClient,
  });
};

runMain(async () => {
  const input = readInput<IInput>();
  if (input.mode === 'presence') await runPresence(input);
  else await runReconnect(input);
});
