/**
 * Every option of `WebSocketServerHelper` in one place: its type, its default, a one-line doc,
 * and `resolveServerOptions()`, the only place defaults are applied. Everything after the
 * constructor works with the resolved object. Docs: wiki/server-helper.md#options
 */
import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import { getError } from '@venizia/ignis-helpers';
import type { IBrokerLimits } from '../broker/broker.js';
import { LogFormats, type TLogFormat } from '../logging/log-format.js';
import { WebSocketDefaults, type AnyObject } from '../protocol/index.js';
import { findOptionProblems } from './option-checks.js';
import type {
  IBunServer,
  TAnyEventDefinition,
  TWebSocketAuthenticateFn,
  TWebSocketClientConnectedFn,
  TWebSocketClientDisconnectedFn,
  TWebSocketClientRemovedFn,
  TWebSocketHandshakeFn,
  TWebSocketInboundTransformer,
  TWebSocketMessageHandler,
  TWebSocketOutboundTransformer,
  TWebSocketPresenceInfoFn,
  TWebSocketUserPresenceFn,
  TWebSocketValidateRoomFn,
} from './types.js';
import type { TWebSocketRoomPolicy } from './room-policy.js';
import type { TWebSocketHistoryPolicyFn } from './history.js';

/** Bun native WebSocket options, passed through to `server.reload({ websocket })`. */
export interface IBunWebSocketConfig {
  /** Per-message compression (default off): less bandwidth, more CPU per frame. */
  perMessageDeflate?: boolean;
  /** Largest inbound frame in bytes; bigger frames close the socket with 1009 (default 128 KiB). */
  maxPayloadLength?: number;
  /** Transport idle timeout in seconds (default 60). */
  idleTimeout?: number;
  /** Bytes buffered per socket; past it Bun refuses further frames to that socket (default 1 MiB; 0: no limit). */
  backpressureLimit?: number;
  /** A socket past `backpressureLimit` is closed with 4006 by the helper (default true); false drops and counts its frames. */
  closeOnBackpressureLimit?: boolean;
  /** Transport-level pings (default on). */
  sendPings?: boolean;
  /** Whether `ws.publish` reaches the publishing socket (default off). */
  publishToSelf?: boolean;
}

/** Limits against abusive clients; every number has a default (see `WEBSOCKET_SERVER_DEFAULTS`). */
export interface IWebSocketProtectionOptions {
  /** Per-client token bucket over inbound frames; `false` turns it off. */
  rateLimit?: false | { perSecond?: number; burst?: number; closeAfterDropped?: number };
  /** Open connections per client address (0 disables; default 0; behind a proxy set `trustedProxies` first). */
  maxConnectionsPerIp?: number;
  /** Rooms a client may be in before further join requests are refused (0 disables; default 100). */
  maxRoomsPerClient?: number;
  /** Deepest array/object nesting of an inbound frame, envelope = 1; deeper is answered `TOO_DEEP` (0 disables; default 32). */
  maxJsonDepth?: number;
  /** Sockets on this node not yet authenticated; past it upgrades get HTTP 503 (0 disables; default 10000). */
  maxUnauthenticated?: number;
  /** Sockets from one client address not yet authenticated; past it upgrades get HTTP 429 (0 disables; default 64). */
  maxUnauthenticatedPerIp?: number;
  /** Proxy addresses or CIDRs whose `X-Forwarded-For` / `Forwarded` names the client address (default none). */
  trustedProxies?: string[];
}

/** What a Redis broker holds for Redis and how long it waits (the in-process broker holds nothing); see wiki/scaling.md. */
export interface IWebSocketBrokerOptions {
  /** Publishes held for Redis (unacknowledged, or waiting while it is away) before new ones are dropped (0: no bound; default 10000). */
  maxBufferedMessages?: number;
  /** Encoded bytes of those publishes before new ones are dropped; bounds memory while Redis is slow or down (0: no bound; default 16 MiB). */
  maxBufferedBytes?: number;
  /** ms Redis has to acknowledge a publish; later ones are dropped and a stalled connection reset (0: no timeout; default 5000). */
  publishTimeout?: number;
  /** ms `shutdown()` waits for Redis to answer QUIT before dropping the connections (0: drop at once; default 2000). */
  closeTimeout?: number;
}

/** Cluster-wide presence per room and user online/offline (default: no room); see wiki/presence.md. */
export interface IWebSocketPresenceOptions {
  /** Rooms whose members are tracked cluster-wide: `true`, `false`, names and `*` patterns (`['lobby', 'chat:*']`) or a predicate (default false: none, nothing written). */
  rooms?: TWebSocketRoomPolicy;
  /** Rooms (among those with presence) whose members get `presence:join` / `presence:leave` (same forms; default false). */
  events?: TWebSocketRoomPolicy;
  /** Picks what other members see about a connection, e.g. `({ metadata }) => ({ name: metadata?.name })` (default none). */
  info?: TWebSocketPresenceInfoFn;
  /** ms between lease refreshes: one store call per room with presence on this node (default 3000). */
  refreshInterval?: number;
  /** ms a node's presence lives without a refresh: a dead node is gone within it; longer survives slower Redis, shorter drops ghosts sooner (default 9000). */
  lease?: number;
  /** ms a user's last connection must stay gone before `userPresenceFn` hears offline; a reconnect within it goes unnoticed (default 5000). */
  offlineDelay?: number;
}

/** The options a deployment tunes (everything but the server, Redis and the callbacks); all optional. */
export interface IWebSocketTunableOptions {
  /** Upgrade path (default `/ws`). */
  path?: string;
  /** Rooms joined after authentication (default `['ws-default', 'ws-notification']`). */
  defaultRooms?: string[];
  /** Bun native options (defaults in `WEBSOCKET_SERVER_DEFAULTS.serverOptions`). */
  serverOptions?: IBunWebSocketConfig;
  /** ms to send `authenticate` (then 3x for `authenticateFn`); close 4001 (default 5000). */
  authTimeout?: number;
  /** ms between heartbeat sweeps; shorter finds dead clients sooner but scans more (default 30000). */
  heartbeatInterval?: number;
  /** ms of silence before close 4002 (default 90000). */
  heartbeatTimeout?: number;
  /** Most transformer calls in flight during one fan-out; higher is faster, burns more CPU at once (default 10). */
  encryptedBatchLimit?: number;
  /** Messages one encrypted client may have waiting for the transformer; past it the slow-consumer policy applies (default 1000; 0: no cap). */
  maxQueuedEncrypted?: number;
  /** Every client must complete `handshakeFn` during auth or be closed 4004 (default false). */
  requireEncryption?: boolean;
  /** Beyond the contract: `'text'` lines through the app's Ignis logger, or `'json'`: one JSON object per line with the event's fields (default `'text'`; wiki/logging.md). */
  logFormat?: TLogFormat;
  /** Beyond the contract: GET route serving Prometheus metrics (`respondToOperations()`, mounted by the component); `false` (default) mounts none. */
  metricsPath?: string | false;
  /** Beyond the contract: GET readiness route, 200 when ready, 503 while starting, stopping or Redis is down (default `/health/ws`; `false`: none). */
  healthPath?: string | false;
  /** Beyond the contract: ms Redis has to answer the readiness check's PING before it counts as down (default 1000). */
  healthTimeout?: number;
  /** Beyond the contract: limits against abusive clients (defaults in `WEBSOCKET_SERVER_DEFAULTS.protection`). */
  protection?: IWebSocketProtectionOptions;
  /** Beyond the contract: bounds of what is held for Redis (defaults in `WEBSOCKET_SERVER_DEFAULTS.broker`). */
  broker?: IWebSocketBrokerOptions;
  /** Beyond the contract: cluster-wide presence (defaults in `WEBSOCKET_SERVER_DEFAULTS.presence`: no room has it). */
  presence?: IWebSocketPresenceOptions;
}

/** Constructor options of `WebSocketServerHelper`. */
export interface IWebSocketServerOptions<
  AuthDataType extends AnyObject = AnyObject,
  MetadataType extends AnyObject = AnyObject,
> extends IWebSocketTunableOptions {
  /** Name used in logs. */
  identifier: string;
  /** Bun server; its `publish()` is the room fan-out fast path. */
  server: IBunServer;
  /** Redis for cross-instance delivery; absent means the in-process broker (one node, no Redis). */
  redisConnection?: DefaultRedisHelper | null;
  /** Decides who may connect: `{ userId, metadata }` accepts, `null`/`false` rejects (4003). */
  authenticateFn: TWebSocketAuthenticateFn<AuthDataType, MetadataType>;
  /** Returns the rooms of a join request the client may enter (default: none, every join refused). */
  validateRoomFn?: TWebSocketValidateRoomFn;
  /** Beyond the contract: which rooms keep a history for recovery and `history()`, `(room) => false | { size, ttlSeconds }` (default none; wiki/recovery.md). */
  historyFn?: TWebSocketHistoryPolicyFn;
  /** After `connected` was sent. */
  clientConnectedFn?: TWebSocketClientConnectedFn<MetadataType>;
  /** When an authenticated client goes away (also on `shutdown()`). */
  clientDisconnectedFn?: TWebSocketClientDisconnectedFn;
  /** Every non-system, non-typed event from authenticated clients (default: answered `UNKNOWN_EVENT`). */
  messageHandler?: TWebSocketMessageHandler;
  /** Rewrites outbound messages for encrypted clients. */
  outboundTransformer?: TWebSocketOutboundTransformer<unknown, MetadataType>;
  /** Beyond the contract: opens each frame of an encrypted client before it is routed (default none: frames taken as they come). */
  inboundTransformer?: TWebSocketInboundTransformer<MetadataType>;
  /** Key exchange during auth when `requireEncryption` is on. */
  handshakeFn?: TWebSocketHandshakeFn<AuthDataType>;
  /** Beyond the contract: called once for every connection that ends, authenticated or not. */
  clientRemovedFn?: TWebSocketClientRemovedFn;
  /** Beyond the contract: told when a user comes online / goes offline cluster-wide, at least once, with a version (wiki/presence.md). */
  userPresenceFn?: TWebSocketUserPresenceFn;
  /** Beyond the contract: typed, zod-validated inbound events (see `defineEvent`). */
  events?: readonly TAnyEventDefinition<MetadataType>[];
}

/** Resolved rate limit: `false` (off) or every number present. */
export type TResolvedRateLimit = false | { perSecond: number; burst: number; closeAfterDropped: number };

/** Every protection option with its default filled in. */
export interface IResolvedProtectionOptions {
  rateLimit: TResolvedRateLimit;
  maxConnectionsPerIp: number;
  maxRoomsPerClient: number;
  maxJsonDepth: number;
  maxUnauthenticated: number;
  maxUnauthenticatedPerIp: number;
  trustedProxies: string[];
}

/** Presence options with their defaults filled in (`info` stays optional: no default). */
export interface IResolvedPresenceOptions {
  rooms: TWebSocketRoomPolicy;
  events: TWebSocketRoomPolicy;
  info?: TWebSocketPresenceInfoFn;
  refreshInterval: number;
  lease: number;
  offlineDelay: number;
}

/** Every tunable option with its default filled in. */
export interface IResolvedTunableOptions {
  path: string;
  defaultRooms: string[];
  serverOptions: Required<IBunWebSocketConfig>;
  authTimeout: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  encryptedBatchLimit: number;
  maxQueuedEncrypted: number;
  requireEncryption: boolean;
  logFormat: TLogFormat;
  metricsPath: string | false;
  healthPath: string | false;
  healthTimeout: number;
  protection: IResolvedProtectionOptions;
  broker: IBrokerLimits;
  presence: IResolvedPresenceOptions;
}

/** The helper's options after `resolveServerOptions()`: callbacks as given, every default applied. */
export type TResolvedServerOptions<A extends AnyObject, M extends AnyObject> = Omit<
  IWebSocketServerOptions<A, M>,
  keyof IWebSocketTunableOptions
> &
  IResolvedTunableOptions;

const DEFAULT_RATE_LIMIT = Object.freeze({
  perSecond: WebSocketDefaults.RATE_LIMIT_PER_SECOND,
  burst: WebSocketDefaults.RATE_LIMIT_BURST,
  closeAfterDropped: WebSocketDefaults.RATE_LIMIT_CLOSE_AFTER_DROPPED,
});

/** The default of every tunable option; `wiki/server-helper.md` lists the same values (a test checks). */
export const WEBSOCKET_SERVER_DEFAULTS: Readonly<IResolvedTunableOptions> = Object.freeze({
  path: WebSocketDefaults.PATH,
  defaultRooms: [WebSocketDefaults.ROOM, WebSocketDefaults.NOTIFICATION_ROOM],
  serverOptions: {
    perMessageDeflate: false,
    maxPayloadLength: WebSocketDefaults.MAX_PAYLOAD_LENGTH,
    idleTimeout: WebSocketDefaults.IDLE_TIMEOUT,
    backpressureLimit: WebSocketDefaults.BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: true,
    sendPings: WebSocketDefaults.SEND_PINGS,
    publishToSelf: WebSocketDefaults.PUBLISH_TO_SELF,
  },
  authTimeout: WebSocketDefaults.AUTH_TIMEOUT,
  heartbeatInterval: WebSocketDefaults.HEARTBEAT_INTERVAL,
  heartbeatTimeout: WebSocketDefaults.HEARTBEAT_TIMEOUT,
  encryptedBatchLimit: WebSocketDefaults.ENCRYPTED_BATCH_LIMIT,
  maxQueuedEncrypted: WebSocketDefaults.MAX_QUEUED_ENCRYPTED,
  requireEncryption: false,
  logFormat: LogFormats.TEXT,
  metricsPath: false,
  healthPath: WebSocketDefaults.HEALTH_PATH,
  healthTimeout: WebSocketDefaults.HEALTH_TIMEOUT,
  protection: {
    rateLimit: DEFAULT_RATE_LIMIT,
    maxConnectionsPerIp: WebSocketDefaults.MAX_CONNECTIONS_PER_IP,
    maxRoomsPerClient: WebSocketDefaults.MAX_ROOMS_PER_CLIENT,
    maxJsonDepth: WebSocketDefaults.MAX_JSON_DEPTH,
    maxUnauthenticated: WebSocketDefaults.MAX_UNAUTHENTICATED,
    maxUnauthenticatedPerIp: WebSocketDefaults.MAX_UNAUTHENTICATED_PER_IP,
    trustedProxies: [],
  },
  broker: {
    maxBufferedMessages: WebSocketDefaults.PUBLISH_BUFFER_MESSAGES,
    maxBufferedBytes: WebSocketDefaults.PUBLISH_BUFFER_BYTES,
    publishTimeout: WebSocketDefaults.PUBLISH_TIMEOUT,
    closeTimeout: WebSocketDefaults.BROKER_CLOSE_TIMEOUT,
  },
  presence: {
    rooms: false,
    events: false,
    refreshInterval: WebSocketDefaults.PRESENCE_REFRESH_INTERVAL,
    lease: WebSocketDefaults.PRESENCE_LEASE,
    offlineDelay: WebSocketDefaults.PRESENCE_OFFLINE_DELAY,
  },
});

/** `value` unless it is undefined. */
const or = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);

/** Applies every default to the tunable options (nested objects merged field by field, never shared). */
export const resolveTunableOptions = (opts: IWebSocketTunableOptions): IResolvedTunableOptions => {
  const d = WEBSOCKET_SERVER_DEFAULTS;
  const native = opts.serverOptions ?? {};
  const protection = opts.protection ?? {};
  const rate = protection.rateLimit;
  return {
    path: or(opts.path, d.path),
    defaultRooms: [...or(opts.defaultRooms, d.defaultRooms)],
    serverOptions: {
      perMessageDeflate: or(native.perMessageDeflate, d.serverOptions.perMessageDeflate),
      maxPayloadLength: or(native.maxPayloadLength, d.serverOptions.maxPayloadLength),
      idleTimeout: or(native.idleTimeout, d.serverOptions.idleTimeout),
      backpressureLimit: or(native.backpressureLimit, d.serverOptions.backpressureLimit),
      closeOnBackpressureLimit: or(native.closeOnBackpressureLimit, d.serverOptions.closeOnBackpressureLimit),
      sendPings: or(native.sendPings, d.serverOptions.sendPings),
      publishToSelf: or(native.publishToSelf, d.serverOptions.publishToSelf),
    },
    authTimeout: or(opts.authTimeout, d.authTimeout),
    heartbeatInterval: or(opts.heartbeatInterval, d.heartbeatInterval),
    heartbeatTimeout: or(opts.heartbeatTimeout, d.heartbeatTimeout),
    encryptedBatchLimit: or(opts.encryptedBatchLimit, d.encryptedBatchLimit),
    maxQueuedEncrypted: or(opts.maxQueuedEncrypted, d.maxQueuedEncrypted),
    requireEncryption: or(opts.requireEncryption, d.requireEncryption),
    logFormat: or(opts.logFormat, d.logFormat),
    metricsPath: or(opts.metricsPath, d.metricsPath),
    healthPath: or(opts.healthPath, d.healthPath),
    healthTimeout: or(opts.healthTimeout, d.healthTimeout),
    protection: {
      rateLimit:
        rate === false
          ? false
          : {
              perSecond: or(rate?.perSecond, DEFAULT_RATE_LIMIT.perSecond),
              burst: or(rate?.burst, DEFAULT_RATE_LIMIT.burst),
              closeAfterDropped: or(rate?.closeAfterDropped, DEFAULT_RATE_LIMIT.closeAfterDropped),
            },
      maxConnectionsPerIp: or(protection.maxConnectionsPerIp, d.protection.maxConnectionsPerIp),
      maxRoomsPerClient: or(protection.maxRoomsPerClient, d.protection.maxRoomsPerClient),
      maxJsonDepth: or(protection.maxJsonDepth, d.protection.maxJsonDepth),
      maxUnauthenticated: or(protection.maxUnauthenticated, d.protection.maxUnauthenticated),
      maxUnauthenticatedPerIp: or(protection.maxUnauthenticatedPerIp, d.protection.maxUnauthenticatedPerIp),
      trustedProxies: [...or(protection.trustedProxies, d.protection.trustedProxies)],
    },
    broker: resolveBrokerOptions(opts.broker),
    presence: resolvePresenceOptions(opts.presence),
  };
};

/** The presence options with their defaults. */
export const resolvePresenceOptions = (opts: IWebSocketPresenceOptions = {}): IResolvedPresenceOptions => {
  const d = WEBSOCKET_SERVER_DEFAULTS.presence;
  const resolved: IResolvedPresenceOptions = {
    rooms: or(opts.rooms, d.rooms),
    events: or(opts.events, d.events),
    refreshInterval: or(opts.refreshInterval, d.refreshInterval),
    lease: or(opts.lease, d.lease),
    offlineDelay: or(opts.offlineDelay, d.offlineDelay),
  };
  if (opts.info) resolved.info = opts.info;
  return resolved;
};

/** The broker bounds with their defaults; the helper and `WebSocketEmitter` both resolve theirs here. */
export const resolveBrokerOptions = (opts: IWebSocketBrokerOptions = {}): IBrokerLimits => {
  const d = WEBSOCKET_SERVER_DEFAULTS.broker;
  return {
    maxBufferedMessages: or(opts.maxBufferedMessages, d.maxBufferedMessages),
    maxBufferedBytes: or(opts.maxBufferedBytes, d.maxBufferedBytes),
    publishTimeout: or(opts.publishTimeout, d.publishTimeout),
    closeTimeout: or(opts.closeTimeout, d.closeTimeout),
  };
};

/**
 * Checks everything callers can get wrong (`option-checks.ts`: unknown names, wrong types,
 * meaningless numbers) and applies every default; the helper's constructor calls it once. One
 * error lists every problem, each naming the option, its value and what to do.
 */
export const resolveServerOptions = <A extends AnyObject, M extends AnyObject>(
  opts: IWebSocketServerOptions<A, M>,
): TResolvedServerOptions<A, M> => {
  const problems = findOptionProblems(opts, WEBSOCKET_SERVER_DEFAULTS);
  if (problems.length > 0) {
    const name = typeof opts.identifier === 'string' ? opts.identifier : 'WebSocketServerHelper';
    const header = problems.length === 1 ? 'Invalid option' : `${problems.length} invalid options`;
    throw getError({ message: `[${name}] ${header}:\n${problems.map(problem => `  - ${problem}`).join('\n')}` });
  }
  return { ...opts, ...resolveTunableOptions(opts) };
};
