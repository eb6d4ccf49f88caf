/**
 * Load generator `capacity`: N authenticated clients (in `BENCH_LOAD_PROCS` worker processes),
 * each sending the protocol heartbeat every `heartbeatMs` (staggered), held on one node for
 * `holdSeconds`. Reports the connect measure (RSS per connection after a full GC), then the
 * server's CPU during the hold per 1,000 clients, RSS per connection after the hold (GC'd) and
 * how many clients were closed meanwhile.
 */
import { connectPhase, holdPhase } from './phases';
import { LoadShards } from './shards';
import { emit, readInput, runMain } from './io';

interface IInput {
  url: string;
  base: string;
  pid: number;
  count: number;
  window: number;
  timeoutMs: number;
  holdSeconds: number;
  heartbeatMs: number;
}

runMain(async () => {
  const input = readInput<IInput>();
  const options = {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.timeoutMs,
    heartbeatMs: input.heartbeatMs,
  };
  await LoadShards.with(options, async shards => {
    const connect = await connectPhase(input.base, input.pid, shards);
    const hold = await holdPhase(input.base, input.pid, shards, connect, input.holdSeconds);
    emit({ type: 'result', connect, hold });
  });
});
