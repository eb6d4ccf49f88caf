/**
 * The bench HTTP routes, written once and shared by every target so that each sends with
 * identical code around its own send call.
 */
import { BenchRoutes, makeBenchData, type IBenchData } from '../../lib/protocol';

/** How a message leaves the server: local room fan-out, or the cross-instance `send()`. */
export type TVia = 'local' | 'send';

/** What a target must provide for the bench routes. */
export interface IBenchOps {
  /** True once clients can connect. */
  ready(): boolean;
  /** Sends one bench message to a room. */
  deliver(room: string, data: IBenchData, via: TVia): void;
  /** Members of a room on this node. */
  roomSize(room: string): number;
  /** Anything worth reporting about this node (counters). */
  stats(): unknown;
}

const MAX_COUNT = 100_000;
const MAX_RATE = 10_000;

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const intParam = (url: URL, name: string, fallback: number, max: number): number => {
  const value = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
};

/** Sends `count` messages, one every `1000/rate` ms, correcting for timer drift. */
const pace = (count: number, rate: number, send: (seq: number) => void): void => {
  const interval = 1000 / rate;
  const start = performance.now();
  let seq = 0;
  const tick = (): void => {
    send(seq++);
    if (seq >= count) return;
    setTimeout(tick, Math.max(0, start + seq * interval - performance.now()));
  };
  tick();
};

/** Answers a bench route, or returns null when the path is not one. */
export const handleBenchRequest = async (request: Request, ops: IBenchOps): Promise<Response | null> => {
  const url = new URL(request.url);
  if (!url.pathname.startsWith('/bench/')) return null;
  if (url.pathname === BenchRoutes.READY) return json({ ready: ops.ready() }, ops.ready() ? 200 : 503);
  if (!ops.ready()) return json({ error: 'not ready' }, 503);
  const room = url.searchParams.get('room') ?? '';
  const via: TVia = url.searchParams.get('via') === 'send' ? 'send' : 'local';
  switch (url.pathname) {
    case BenchRoutes.BURST: {
      const count = intParam(url, 'count', 1, MAX_COUNT);
      const first = intParam(url, 'seq0', 0, Number.MAX_SAFE_INTEGER);
      for (let seq = first; seq < first + count; seq++) ops.deliver(room, makeBenchData(seq), via);
      return json({ sent: count });
    }
    case BenchRoutes.PACED: {
      const count = intParam(url, 'count', 1, MAX_COUNT);
      const rate = intParam(url, 'rate', 50, MAX_RATE);
      pace(count, rate, seq => ops.deliver(room, makeBenchData(seq), via));
      return json({ scheduled: count, rate });
    }
    case BenchRoutes.ROOM:
      return json({ room, size: ops.roomSize(room) });
    case BenchRoutes.GC:
      Bun.gc(true);
      return json({ ok: true });
    case BenchRoutes.STATS:
      return json(ops.stats() ?? {});
    case BenchRoutes.CPU: {
      const usage = process.cpuUsage();
      return json({ cpuUs: usage.user + usage.system });
    }
    default:
      return json({ error: 'unknown bench route' }, 404);
  }
};
