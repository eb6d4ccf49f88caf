/**
 * Every option of `WebSocketServerHelper` in one place: its type, its default, a one-line doc,
 * and `resolveServerOptions()`, the only place defaults are applied. Everything after the
 * constructor works with the resolved object. Docs: wiki/server-helper.md#options
 */
import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import { getError } from '@venizia/ignis-helpers';
import { WebSocketDefaults, type AnyObject } from '../protocol';
import type {
  IBunServer,
  TAnyEventDefinition,
  TWebSocketAuthenticateFn,
  TWebSocketClientConnectedFn,
  TWebSocketClientDisconnectedFn,
  TWebSocketClientRemovedFn,
  TWebSocketHandshakeFn,
  TWebSocketMessageHandler,
  TWebSocketOutboundTransformer,
  TWebSocketValidateRoomFn,
} from './types';

/** Bun native WebSocket options, passed through to `server.reload({ websocket })`. */
export interface IBunWebSocketConfig {
  /** Per-message compression (default off): less bandwidth, more CPU per frame. */
  perMessageDeflate?: boolean;
  /** Largest inbound frame in bytes; bigger frames close the socket with 1009 (default 128 KiB). */
  maxPayloadLength?: number;
  /** Transport idle timeout in seconds (default 60). */
  idleTimeout?: number;
  /** Bytes buffered per socket before `send` reports backpressure (default 1 MiB). */
  backpressureLimit?: number;
  /** Close a socket whose buffer passes `backpressureLimit` (default off). */
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
  /** Open connections per remote address (0 disables; default 0 because proxies share one address). */
  maxConnectionsPerIp?: number;
  /** Rooms a client may be in before further join requests are refused (0 disables; default 100). */
  maxRoomsPerClient?: number;
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
  /** Every client must complete `handshakeFn` during auth or be closed 4004 (default false). */
  requireEncryption?: boolean;
  /** Beyond the contract: limits against abusive clients (defaults in `WEBSOCKET_SERVER_DEFAULTS.protection`). */
  protection?: IWebSocketProtectionOptions;
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
  /** After `connected` was sent. */
  clientConnectedFn?: TWebSocketClientConnectedFn<MetadataType>;
  /** When an authenticated client goes away (also on `shutdown()`). */
  clientDisconnectedFn?: TWebSocketClientDisconnectedFn;
  /** Every non-system, non-typed event from authenticated clients (default: answered `UNKNOWN_EVENT`). */
  messageHandler?: TWebSocketMessageHandler;
  /** Rewrites outbound messages for encrypted clients. */
  outboundTransformer?: TWebSocketOutboundTransformer<unknown, MetadataType>;
  /** Key exchange during auth when `requireEncryption` is on. */
  handshakeFn?: TWebSocketHandshakeFn<AuthDataType>;
  /** Beyond the contract: called once for every connection that ends, authenticated or not. */
  clientRemovedFn?: TWebSocketClientRemovedFn;
  /** Beyond the contract: typed, zod-validated inbound events (see `defineEvent`). */
  events?: readonly TAnyEventDefinition<MetadataType>[];
}

/** Resolved rate limit: `false` (off) or every number present. */
export type TResolvedRateLimit = false | { perSecond: number; burst: number; closeAfterDropped: number };

/** Every tunable option with its default filled in. */
export interface IResolvedTunableOptions {
  path: string;
  defaultRooms: string[];
  serverOptions: Required<IBunWebSocketConfig>;
  authTimeout: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  encryptedBatchLimit: number;
  requireEncryption: boolean;
  protection: { rateLimit: TResolvedRateLimit; maxConnectionsPerIp: number; maxRoomsPerClient: number };
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
    closeOnBackpressureLimit: false,
    sendPings: WebSocketDefaults.SEND_PINGS,
    publishToSelf: WebSocketDefaults.PUBLISH_TO_SELF,
  },
  authTimeout: WebSocketDefaults.AUTH_TIMEOUT,
  heartbeatInterval: WebSocketDefaults.HEARTBEAT_INTERVAL,
  heartbeatTimeout: WebSocketDefaults.HEARTBEAT_TIMEOUT,
  encryptedBatchLimit: WebSocketDefaults.ENCRYPTED_BATCH_LIMIT,
  requireEncryption: false,
  protection: {
    rateLimit: DEFAULT_RATE_LIMIT,
    maxConnectionsPerIp: WebSocketDefaults.MAX_CONNECTIONS_PER_IP,
    maxRoomsPerClient: WebSocketDefaults.MAX_ROOMS_PER_CLIENT,
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
    requireEncryption: or(opts.requireEncryption, d.requireEncryption),
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
    },
  };
};

/** Checks what callers can get wrong and applies every default; the helper's constructor calls it once. */
export const resolveServerOptions = <A extends AnyObject, M extends AnyObject>(
  opts: IWebSocketServerOptions<A, M>,
): TResolvedServerOptions<A, M> => {
  if (!opts.server) throw getError({ message: `[${opts.identifier}] 'server' (the Bun server instance) is required.` });
  if (typeof opts.authenticateFn !== 'function') {
    throw getError({ message: `[${opts.identifier}] 'authenticateFn' is required: it decides who may connect.` });
  }
  return { ...opts, ...resolveTunableOptions(opts) };
};
