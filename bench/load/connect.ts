/**
 * Load generator `connect`: opens N authenticated clients and reports the connect rate and the
 * server's RSS and CPU per connection. Prints JSON lines; the last one is the result.
 */
import { tokenFor } from '../lib/protocol';
import { connectPhase } from './phases';
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
  const { pool, result } = await connectPhase(input.base, input.pid, {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.timeoutMs,
    authData: n => ({ type: 'Bearer', token: tokenFor(n) }),
    onFrame: () => {},
  });
  pool.close();
  emit({ type: 'result', connect: result });
});
