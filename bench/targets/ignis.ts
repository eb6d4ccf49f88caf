/**
 * Targets `upstream`, `ours-memory` and `ours-redis`: a real Ignis `BaseApplication` with a
 * WebSocket component — upstream's from `@venizia/ignis`, or ours from `src/index.ts` — and the
 * bench routes. Room bursts call `helper.sendToRoom()` (`via=local`) or `helper.send()`
 * (`via=send`, the cross-instance path).
 *
 * Usage: bun bench/targets/ignis.ts <upstream|ours> <port> [--redis <port> | --cluster <port,port,port>] [--enc] [--history] [--presence] [--idle-features]
 */
import { WebSocketComponent as UpstreamComponent } from '@venizia/ignis';
import { EncryptionSessions } from '../lib/enc';
import { BENCH_EVENT } from '../lib/protocol';
import { BenchApplication } from './common/ignis-app';
import { createProbedRedis, type IProbedRedis, type TRedisAt } from './common/redis-probe';
import type { IBenchOps } from './common/routes';
import { bindWebSocket, resolveHelper, type IBenchHelper } from './common/ws-bindings';

const OURS_MODULE = '../../src/index.ts';

const [impl, portArg] = process.argv.slice(2);
const redisAt = process.argv.indexOf('--redis');
const redisPort = redisAt > 0 ? Number(process.argv[redisAt + 1]) : undefined;
const clusterAt = process.argv.indexOf('--cluster');
const clusterPorts = clusterAt > 0 ? process.argv[clusterAt + 1]!.split(',').map(Number) : undefined;
const encrypted = process.argv.includes('--enc');
const history = process.argv.includes('--history');
const presence = process.argv.includes('--presence');
const idleFeatures = process.argv.includes('--idle-features');

const loadComponent = async (): Promise<typeof UpstreamComponent> => {
  if (impl === 'upstream') return UpstreamComponent;
  const specifier: string = OURS_MODULE;
  const module = (await import(specifier)) as { WebSocketComponent?: typeof UpstreamComponent };
  if (!module.WebSocketComponent) throw new Error('src/index.ts does not export WebSocketComponent');
  return module.WebSocketComponent;
};

let helper: IBenchHelper | undefined;
let probe: IProbedRedis | undefined;
const ops: IBenchOps = {
  ready: () => (helper ??= resolveHelper(app)) !== undefined,
  deliver(room, data, via) {
    if (via === 'send') helper!.send({ destination: room, payload: { topic: BENCH_EVENT, data } });
    else helper!.sendToRoom({ room, event: BENCH_EVENT, data });
  },
  roomSize: room => helper!.getClientsByRoom({ room }).length,
  stats: () => ({
    redisIn: probe ? probe.received() : null,
    helper: typeof helper?.getStats === 'function' ? helper.getStats() : null,
  }),
};

const app = new BenchApplication({ port: Number(portArg), ops });
app.init();
const redisLocation: TRedisAt | undefined = clusterPorts ? { clusterPorts } : redisPort ? { port: redisPort } : undefined;
probe = redisLocation ? createProbedRedis(redisLocation, `bench-${impl}`) : undefined;
const sessions = encrypted ? await new EncryptionSessions().init() : undefined;
bindWebSocket(app, { redis: probe?.helper, sessions, history, presence, idleFeatures });
app.component(await loadComponent());
await app.start();

process.on('SIGTERM', () => {
  app.stop();
  process.exit(0);
});
