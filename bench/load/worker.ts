/**
 * A load worker: one share of a load generator's clients in its own process, with its own frame
 * counter and CPU meter. Requests come as JSON lines on stdin (see `shard-rpc.ts`), replies go
 * as JSON lines on stdout. It exits when stdin closes, so it dies with its coordinator.
 *
 * Usage (by `shards.ts` only): bun bench/load/worker.ts '<IShardSetup JSON>'
 */
import { createClientPublicKey } from '../lib/enc';
import { nowMs, tokenFor } from '../lib/protocol';
import { readInput, startLoadMeter } from './io';
import { ClientPool } from './pool';
import { DeliverySink } from './sink';
import { encodeSamples, readLines, type IShardOps, type IShardReply, type IShardRequest, type IShardSetup } from './shard-rpc';

type THandlers = { [K in keyof IShardOps]: (args: IShardOps[K]['args']) => Promise<IShardOps[K]['result']> };

const setup = readInput<IShardSetup>();
const publicKey = setup.encrypted ? await createClientPublicKey() : undefined;
const sink = new DeliverySink(setup.match, setup.withLatency);
const pool = new ClientPool({
  url: setup.url,
  count: setup.count,
  window: setup.window,
  timeoutMs: setup.timeoutMs,
  authData: n => ({ type: 'Bearer', token: tokenFor(setup.first + n), ...(publicKey ? { publicKey } : {}) }),
  onFrame: sink.frame,
});
let phaseMeter = startLoadMeter();

const handlers: THandlers = {
  connect: async () => {
    const meter = startLoadMeter();
    const startAt = nowMs();
    const outcome = await pool.connect();
    const cores = meter.stop();
    if (setup.heartbeatMs) pool.startHeartbeat(setup.heartbeatMs);
    return { connected: outcome.connected, failed: outcome.failed, startAt, endAt: startAt + outcome.elapsedMs, cores };
  },
  join: async ({ rooms }) => {
    pool.join(rooms);
    return null;
  },
  start: async ({ perMember, match }) => {
    sink.retarget(match);
    sink.start(perMember * pool.sockets.length);
    phaseMeter = startLoadMeter();
    return null;
  },
  wait: async ({ timeoutMs }) => {
    const { latencies, ...outcome } = await sink.wait(timeoutMs);
    return { ...outcome, latencies: encodeSamples(latencies), cores: phaseMeter.stop() };
  },
  status: async () => ({ connected: pool.sockets.length, received: sink.count(), dropped: pool.dropped, heartbeats: pool.heartbeats }),
  gc: async () => {
    Bun.gc(true);
    return null;
  },
};

const reply = (line: IShardReply): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const handle = async (text: string): Promise<void> => {
  if (!text.trim()) return;
  const request = JSON.parse(text) as IShardRequest;
  try {
    const handler = handlers[request.op] as (args: unknown) => Promise<unknown>;
    reply({ id: request.id, result: await handler(request.args) });
  } catch (error) {
    reply({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
};

await readLines(Bun.stdin.stream(), text => void handle(text));
pool.close();
process.exit(0);
