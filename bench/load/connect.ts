/**
 * Load generator `connect`: opens N authenticated clients (in `BENCH_LOAD_PROCS` worker
 * processes) and reports the connect rate and the server's RSS and CPU per connection. Prints
 * JSON lines; the last one is the result.
 */
import { connectPhase } from './phases';
import { LoadShards } from './shards';
import { emit, readInput, runMain } from './io';

interface IInput {
  url: string;
  base: string;
  pid: number;
  count: number;
  window: number;
  timeoutMs: number;
}

runMain(async () => {
  const input = readInput<IInput>();
  const options = {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.timeoutMs,
  };
  await LoadShards.with(options, async shards => {
    emit({ type: 'result', connect: await connectPhase(input.base, input.pid, shards) });
  });
});
