/**
 * Load generator `fanout`: N clients on one node join a room; then a burst and a paced stream
 * are sent to the room through a (possibly different) node. Reports connect cost, deliveries/s,
 * latency and server CPU. With `encrypted`, clients send a public key and frames are counted
 * without decrypting (no latency, no paced stream).
 */
import { createClientPublicKey } from '../lib/enc';
import { BENCH_EVENT, tokenFor } from '../lib/protocol';
import { sleep } from '../lib/net';
import { connectPhase, fanoutPhase, joinPhase, warmUp } from './phases';
import { DeliverySink } from './sink';
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
  const publicKey = input.encrypted ? await createClientPublicKey() : undefined;
  const match = input.encrypted ? '"encrypted"' : `"${BENCH_EVENT}"`;
  const sink = new DeliverySink(match, !input.encrypted);
  const { pool, result: connect } = await connectPhase(input.clientBase, input.clientPid, {
    url: input.url,
    count: input.count,
    window: input.window,
    timeoutMs: input.handshakeTimeoutMs,
    authData: n => ({ type: 'Bearer', token: tokenFor(n), ...(publicKey ? { publicKey } : {}) }),
    onFrame: sink.frame,
  });
  const members = pool.sockets.length;
  const joinMs = await joinPhase(pool, input.clientBase, input.room, input.stepTimeoutMs);
  const warm = await warmUp(sink, { sendBase: input.sendBase, room: input.room, via: input.via, members, match, bySeq: !input.encrypted });
  const settleBases = [input.sendBase, input.clientBase];
  const common = { sendBase: input.sendBase, room: input.room, via: input.via, members, cpuPid: input.clientPid, cpuBase: input.clientBase, settleBases };
  const burst = await fanoutPhase(sink, { ...common, count: input.burstCount, timeoutMs: input.stepTimeoutMs });
  let paced;
  if (input.pacedCount > 0 && !input.encrypted) {
    await sleep(100);
    const timeoutMs = input.stepTimeoutMs + (input.pacedCount * 1000) / input.pacedRate;
    paced = await fanoutPhase(sink, { ...common, count: input.pacedCount, rate: input.pacedRate, timeoutMs });
  }
  const dropped = pool.dropped;
  pool.close();
  emit({ type: 'result', connect, joinMs, warm, burst, paced, dropped });
});
