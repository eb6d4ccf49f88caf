/**
 * Binds the bench's handlers under the WebSocket component's keys. The key strings are the
 * contract shared by upstream and our component, so one function serves both.
 */
import { WebSocketBindingKeys } from '@venizia/ignis';
import type { BenchApplication } from './ignis-app';
import type { EncryptionSessions } from '../../lib/enc';
import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import { ROOM_PREFIX, WS_PATH, checkToken, isBenchRoom } from '../../lib/protocol';

/** The slice of a WebSocket server helper the bench calls (same names in both implementations). */
export interface IBenchHelper {
  sendToRoom(opts: { room: string; event: string; data: unknown }): void;
  send(opts: { destination?: string; payload: { topic: string; data: unknown } }): void;
  getClientsByRoom(opts: { room: string }): unknown[];
  getStats?: () => unknown;
}

/**
 * Upstream runs `connected` through the outbound transformer too, so a transformer that seals
 * everything for encrypted clients hides the server's public key from the client. The bench
 * transformer leaves `connected` in clear text, as any working deployment must.
 */
const PLAINTEXT_EVENT = 'connected';

/** What to bind. */
export interface IWsBindingOptions {
  /** A single Redis or a Redis Cluster (our component then uses sharded pub/sub). */
  redis?: DefaultRedisHelper;
  sessions?: EncryptionSessions;
  /** Ours only: every bench room keeps a history (`HISTORY_POLICY`, 1,000 messages, 1 h). */
  history?: boolean;
  /** Ours only: every bench room has presence (`presence.rooms`). */
  presence?: boolean;
  /**
   * Ours only: history and presence configured, but only for rooms named `other:…` that the bench
   * never joins — what an app pays for the features in rooms that do not use them.
   */
  idleFeatures?: boolean;
}

/** Our component's key for the history policy (upstream has none). */
const HISTORY_POLICY_KEY = '@app/websocket/history-policy';
/** Rooms given history and presence by `idleFeatures`; no bench client joins one. */
const IDLE_FEATURE_PREFIX = 'other:';
const HISTORY = { size: 1000, ttlSeconds: 3600 };

/** The rooms with presence: bench rooms, rooms no bench client joins, or none. */
const presenceRooms = (opts: IWsBindingOptions): string[] | undefined => {
  if (opts.presence) return [`${ROOM_PREFIX}*`];
  return opts.idleFeatures ? [`${IDLE_FEATURE_PREFIX}*`] : undefined;
};

/** Binds options, auth, room validation, Redis and (optionally) the encryption handlers. */
export const bindWebSocket = (app: BenchApplication, opts: IWsBindingOptions): void => {
  const keys = WebSocketBindingKeys;
  const { sessions } = opts;
  const presence = presenceRooms(opts);
  app.bind({ key: keys.SERVER_OPTIONS }).toValue({
    identifier: 'bench-websocket',
    path: WS_PATH,
    requireEncryption: Boolean(sessions),
    // The load generator opens thousands of clients from one address with 256 handshakes in flight;
    // the per-address cap on unauthenticated sockets (64 by default) is for real clients, not it.
    protection: { maxUnauthenticatedPerIp: 0 },
    // `BENCH_DEFAULT_ROOMS=none` (bench/profile/heap.ts): what the two default rooms cost.
    ...(process.env.BENCH_DEFAULT_ROOMS === 'none' ? { defaultRooms: [] } : {}),
    ...(presence ? { presence: { rooms: presence } } : {}),
  });
  if (opts.history || opts.idleFeatures) {
    const keeps = opts.history ? isBenchRoom : (room: string) => room.startsWith(IDLE_FEATURE_PREFIX);
    app.bind({ key: HISTORY_POLICY_KEY }).toValue((room: string) => (keeps(room) ? HISTORY : false));
  }
  if (opts.redis) app.bind({ key: keys.REDIS_CONNECTION }).toValue(opts.redis);
  app.bind({ key: keys.AUTHENTICATE_HANDLER }).toValue(async (data: unknown) => checkToken(data));
  app.bind({ key: keys.VALIDATE_ROOM_HANDLER }).toValue(({ rooms }: { rooms: string[] }) => rooms.filter(isBenchRoom));
  if (!sessions) return;
  app
    .bind({ key: keys.HANDSHAKE_HANDLER })
    .toValue(({ clientId, data }: { clientId: string; data: { publicKey?: unknown } }) =>
      sessions.handshake(clientId, data.publicKey),
    );
  app
    .bind({ key: keys.OUTBOUND_TRANSFORMER })
    .toValue(({ client, event, data }: { client: { id: string; encrypted: boolean }; event: string; data: unknown }) =>
      client.encrypted && event !== PLAINTEXT_EVENT ? sessions.seal(client.id, event, data) : null,
    );
  app
    .bind({ key: keys.CLIENT_DISCONNECTED_HANDLER })
    .toValue(({ clientId }: { clientId: string }) => sessions.forget(clientId));
};

/** The helper once the component has started it, else undefined. */
export const resolveHelper = (app: BenchApplication): IBenchHelper | undefined =>
  app.get<IBenchHelper>({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE, isOptional: true }) ?? undefined;
