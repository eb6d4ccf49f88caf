/**
 * Target `raw`: the physical limit. A bare `Bun.serve` speaking just the bench subset of the
 * wire protocol — token auth, `connected`, `join` to Bun topics, fan-out with
 * `server.publish()`. With `--enc`, clients send a public key, get a per-client AES-GCM key, and
 * fan-out encrypts per client (no concurrency limit: the cheapest correct loop).
 *
 * Usage: bun bench/targets/raw.ts <port> [--enc]
 */
import type { ServerWebSocket } from 'bun';
import { EncryptionSessions } from '../lib/enc';
import { BENCH_EVENT, WS_PATH, checkToken, isBenchRoom, type IBenchData } from '../lib/protocol';
import { handleBenchRequest, type IBenchOps } from './common/routes';

interface IClientData {
  id: string;
  userId?: string;
}
type TSocket = ServerWebSocket<IClientData>;

const port = Number(process.argv[2]);
const encrypted = process.argv.includes('--enc');
const sessions = encrypted ? await new EncryptionSessions().init() : undefined;
const rooms = new Map<string, Set<TSocket>>();

const send = (ws: TSocket, event: string, data: unknown): void => {
  ws.send(JSON.stringify({ event, data }));
};

const authenticate = async (ws: TSocket, data: unknown): Promise<void> => {
  const user = checkToken(data);
  if (!user) {
    send(ws, 'error', { message: 'Authentication failed' });
    ws.close(4003, 'Authentication failed');
    return;
  }
  let extra = {};
  if (sessions) {
    const keys = await sessions.handshake(ws.data.id, (data as { publicKey?: unknown }).publicKey);
    if (!keys) return ws.close(4004, 'Encryption required');
    extra = keys;
  }
  ws.data.userId = user.userId;
  send(ws, 'connected', { id: ws.data.id, userId: user.userId, time: new Date().toISOString(), ...extra });
};

const join = (ws: TSocket, data: unknown): void => {
  const requested = (data as { rooms?: unknown } | null)?.rooms;
  if (!ws.data.userId || !Array.isArray(requested)) return;
  for (const room of requested) {
    if (typeof room !== 'string' || !isBenchRoom(room)) continue;
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(ws);
    if (!sessions) ws.subscribe(room);
  }
};

const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  async fetch(request, bunServer) {
    const benchResponse = await handleBenchRequest(request, ops);
    if (benchResponse) return benchResponse;
    if (new URL(request.url).pathname === WS_PATH) {
      if (bunServer.upgrade(request, { data: { id: crypto.randomUUID() } })) return undefined;
      return new Response('upgrade failed', { status: 400 });
    }
    return new Response('not found', { status: 404 });
  },
  websocket: {
    data: {} as IClientData,
    message(ws, raw) {
      let message: { event?: unknown; data?: unknown };
      try {
        message = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (message.event === 'authenticate') void authenticate(ws, message.data);
      else if (message.event === 'join') join(ws, message.data);
    },
    close(ws) {
      for (const members of rooms.values()) members.delete(ws);
      sessions?.forget(ws.data.id);
    },
  },
});

const ops: IBenchOps = {
  ready: () => true,
  deliver(room: string, data: IBenchData) {
    if (!sessions) {
      server.publish(room, JSON.stringify({ event: BENCH_EVENT, data }));
      return;
    }
    for (const ws of rooms.get(room) ?? []) {
      void sessions.seal(ws.data.id, BENCH_EVENT, data).then(sealed => sealed && ws.send(JSON.stringify(sealed)));
    }
  },
  roomSize: room => rooms.get(room)?.size ?? 0,
  stats: () => ({}),
};

process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});
