/**
 * Load generator `fanout`: N clients on one node join a room; then a burst and a paced stream
 * are sent to the room through a (possibly different) node. Reports connect cost, deliveries/s,
 * latency and server CPU. With `encrypted`, clients send a public key and frames are counted
 * without decrypting (no latency, no paced stream). The clients live in `BENCH_LOAD_PROCS`
 * worker processes.
 */
import { BENCH_EVENT } from '../lib/protocol';
import { sleep } from '../lib/net';
import { connectPhase, fanoutPhase, joinPhase, warmUp } from './phases';
import { LoadShards } from './shards';
import { emit, readInput, runMain } from './io';

interface IInput {
  url: string;
  clientBase: string;
  clientPid: number;
  sendBase: string;
  room: string;
  count: number;
  window: number;
  burstCount: number;
  pacedRate: number;
  pacedCount: number;
  via: 'local' | 'send';
  encrypted: boolean;
  stepTimeoutMs: number;
  handshakeTimeoutMs: number;
}

runMain(async () => {
  const input = readInput<IInput>();
  const options = {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    encrypted: input.encrypted,
    match: input.encrypted ? '"encrypted"' : `"${BENCH_EVENT}"`,
    withLatency: !input.encrypted,
  };
  await LoadShards.with(options, async shards => {
    const connect = await connectPhase(input.clientBase, input.clientPid, shards);
    const joinMs = await joinPhase(shards, input.clientBase, input.room, input.stepTimeoutMs);
    const warm = await warmUp(shards, { sendBase: input.sendBase, room: input.room, via: input.via, bySeq: !input.encrypted });
    const settleBases = [input.sendBase, input.clientBase];
    const common = { sendBase: input.sendBase, room: input.room, via: input.via, cpuPid: input.clientPid, cpuBase: input.clientBase, settleBases };
    const burst = await fanoutPhase(shards, { ...common, count: input.burstCount, timeoutMs: input.stepTimeoutMs });
    let paced;
    if (input.pacedCount > 0 && !input.encrypted) {
      await sleep(100);
      const timeoutMs = input.stepTimeoutMs + (input.pacedCount * 1000) / input.pacedRate;
      paced = await fanoutPhase(shards, { ...common, count: input.pacedCount, rate: input.pacedRate, timeoutMs });
    }
    const { dropped } = await shards.status();
    emit({ type: 'result', connect, joinMs, warm, burst, paced, dropped });
  });
});
