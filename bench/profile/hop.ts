/**
 * One cross-node message, taken apart: two nodes of a target on one Redis, one client on node B
 * in a room, a paced stream sent through node A (`send()`), and a Redis subscriber of this
 * process on the room's channel. For every message: send stamp → the subscriber's receipt
 * (A's publish and Redis) → the client's receipt (B's part). Median per run, runs interleaved.
 *
 * Usage: bun bench/profile/hop.ts [repeats=3] [messages=300] [rate=100] [targets=upstream,ours-redis]
 */
import Redis from 'ioredis';
import { BenchRoutes, nowMs, tokenFor } from '../lib/protocol';
import { sleep } from '../lib/net';
import { startRedis } from '../lib/redis';
import { summarise } from '../lib/stats';
import { startNodes, stopAll, type TTargetName } from '../scenarios/targets';

const [repeatsArg = '3', messagesArg = '300', rateArg = '100', targetsArg = 'upstream,ours-redis'] = process.argv.slice(2);
const [repeats, messages, rate] = [Number(repeatsArg), Number(messagesArg), Number(rateArg)];
const targets = targetsArg.split(',') as TTargetName[];
const ROOM = 'bench-hop';
const SEQ = /"seq":(\d+),"t":([\d.]+)/;
const PROBE_SEQ0 = 1_000_000;

interface IHop {
  toRedis: number;
  onB: number;
  total: number;
}

const connectClient = (url: string): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(JSON.stringify({ event: 'authenticate', data: { type: 'Bearer', token: tokenFor(1) } }));
    ws.onmessage = event => {
      if (String(event.data).includes('"connected"')) resolve(ws);
    };
    ws.onerror = () => reject(new Error('client could not connect'));
  });

const run = async (target: TTargetName, redisPort: number): Promise<IHop> => {
  const [a, b] = await startNodes(target, 2, { redisPort });
  const probe = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
  try {
    await probe.connect();
    const atRedis = new Map<number, number>();
    await probe.subscribe(`ws:room:${ROOM}`);
    probe.on('message', (_channel: string, raw: string) => {
      const match = SEQ.exec(raw);
      if (match) atRedis.set(Number(match[1]), nowMs());
    });
    const client = await connectClient(b!.wsUrl);
    const hops: IHop[] = [];
    let done!: () => void;
    const all = new Promise<void>(resolve => (done = resolve));
    const measure = (event: MessageEvent): void => {
      const match = SEQ.exec(String(event.data));
      if (!match) return;
      const at = nowMs();
      const sent = Number(match[2]);
      const redisAt = atRedis.get(Number(match[1]));
      if (redisAt !== undefined) hops.push({ toRedis: redisAt - sent, onB: at - redisAt, total: at - sent });
      if (Number(match[1]) === messages - 1) done();
    };
    client.send(JSON.stringify({ event: 'join', data: { rooms: [ROOM] } }));
    // Probes through A until one reaches the client: the room's channel is then live on B.
    let arrived = (_seq: number): void => {};
    client.onmessage = event => {
      const match = SEQ.exec(String(event.data));
      if (match) arrived(Number(match[1]));
    };
    let live = false;
    for (let probe = 0; probe < 100 && !live; probe++) {
      const seq = PROBE_SEQ0 + probe;
      const reached = new Promise<boolean>(resolve => {
        const timer = setTimeout(() => resolve(false), 50);
        arrived = got => {
          if (got !== seq) return;
          clearTimeout(timer);
          resolve(true);
        };
      });
      await fetch(`${a!.base}${BenchRoutes.BURST}?room=${ROOM}&count=1&via=send&seq0=${seq}`, { method: 'POST' });
      live = await reached;
    }
    if (!live) throw new Error(`${target}: the room never became live on B`);
    client.onmessage = measure;
    await fetch(`${a!.base}${BenchRoutes.PACED}?room=${ROOM}&count=${messages}&rate=${rate}&via=send`, { method: 'POST' });
    await Promise.race([all, sleep((messages / rate) * 1000 + 5_000)]);
    client.close();
    if (hops.length < messages * 0.9) throw new Error(`${target}: only ${hops.length} of ${messages} messages measured`);
    const median = (key: keyof IHop) => summarise(hops.map(h => h[key])).median;
    return { toRedis: median('toRedis'), onB: median('onB'), total: median('total') };
  } finally {
    probe.disconnect();
    await stopAll([a!, b!]);
  }
};

const redis = await startRedis();
const results = new Map<TTargetName, IHop[]>(targets.map(t => [t, []]));
try {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const target of targets) {
      const hop = await run(target, redis.port);
      results.get(target)!.push(hop);
      console.log(`${repeat}/${repeats} ${target}: send → Redis ${hop.toRedis.toFixed(3)} ms, Redis → client on B ${hop.onB.toFixed(3)} ms, total ${hop.total.toFixed(3)} ms`);
    }
  }
} finally {
  await redis.stop();
}
console.log(`\nmedian of ${repeats} runs' medians (min–max), ms:`);
for (const [target, hops] of results) {
  const show = (key: keyof IHop) => {
    const { median, min, max } = summarise(hops.map(h => h[key]));
    return `${median.toFixed(3)} (${min.toFixed(3)}–${max.toFixed(3)})`;
  };
  console.log(`  ${target.padEnd(11)} send → Redis ${show('toRedis')}, Redis → client on B ${show('onB')}, total ${show('total')}`);
}
process.exit(0);
