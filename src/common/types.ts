/**
 * Public types of the contract (`IWebSocketServerOptions`, callbacks, envelopes, client record)
 * plus the few extensions this package adds beside them.
 */
import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { TWebSocketClientState, TWebSocketMessageType } from './constants';

/** A value or a promise of it. */
export type ValueOrPromise<T> = T | Promise<T>;

/** Shape both generic parameters are constrained to. */
export type AnyObject = Record<string, unknown>;

/** Data Bun keeps on each socket; set at upgrade time. */
export interface IWebSocketData {
  /** UUID assigned at upgrade. */
  clientId: string;
  /** Remote address seen at upgrade (for logs and per-IP limits). */
  ip?: string;
}

/** The part of Bun's `ServerWebSocket` the helper relies on (Bun's own type satisfies it). */
export interface IWebSocket<T = IWebSocketData> {
  readonly data: T;
  readonly remoteAddress: string;
  readonly readyState: number;
  send(data: string, compress?: boolean): number;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  isSubscribed(topic: string): boolean;
  close(code?: number, reason?: string): void;
}

/** The part of Bun's `Server` the helper relies on (Bun's own type satisfies it). */
export interface IBunServer {
  readonly pendingWebSockets: number;
  publish(topic: string, data: string, compress?: boolean): number;
  upgrade(req: Request, opts: { data: IWebSocketData; headers?: HeadersInit }): boolean;
  requestIP?(req: Request): { address: string } | null;
}

/** Bun native WebSocket options, passed through to `server.reload({ websocket })`. */
export interface IBunWebSocketConfig {
  /** Per-message compression (default off). */
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

/** Object for `server.reload({ websocket })`: the four lifecycle callbacks plus native options. */
export interface IBunWebSocketHandler extends IBunWebSocketConfig {
  open(socket: IWebSocket): void;
  message(socket: IWebSocket, message: string | Buffer): void;
  close(socket: IWebSocket, code: number, reason: string): void;
  drain(socket: IWebSocket): void;
}

/** Client <-> server message envelope. */
export interface IWebSocketMessage<DataType = unknown> {
  event: string;
  data?: DataType;
  id?: string;
}

/** Cross-instance envelope published on the `ws:*` Redis channels. */
export interface IRedisSocketMessage<DataType = unknown> {
  /** Publishing node's id, or `'emitter'`. */
  serverId: string;
  type: TWebSocketMessageType;
  /** clientId, userId or room name; absent for broadcast. */
  target?: string;
  event: string;
  data: DataType;
  /** Client ids that must not receive the message. */
  exclude?: string[];
}

/** What the helper tracks for every connection. */
export interface IWebSocketClient<MetadataType extends AnyObject = AnyObject> {
  id: string;
  userId?: string;
  socket: IWebSocket;
  state: TWebSocketClientState;
  rooms: Set<string>;
  backpressured: boolean;
  encrypted: boolean;
  connectedAt: number;
  lastActivity: number;
  metadata?: MetadataType;
  serverPublicKey?: string;
  salt?: string;
  authTimer?: ReturnType<typeof setTimeout>;
}

/** Validates credentials: `{ userId, metadata }` accepts, `null`/`false` rejects (close 4003). */
export type TWebSocketAuthenticateFn<
  AuthDataType extends AnyObject = AnyObject,
  MetadataType extends AnyObject = AnyObject,
> = (opts: AuthDataType) => ValueOrPromise<{ userId?: string; metadata?: MetadataType } | null | false>;

/** Key exchange during auth when `requireEncryption` is on; `null`/`false` closes with 4004. */
export type TWebSocketHandshakeFn<AuthDataType extends AnyObject = AnyObject> = (opts: {
  clientId: string;
  userId?: string;
  data: AuthDataType;
}) => ValueOrPromise<{ serverPublicKey: string; salt: string } | null | false>;

/** Returns the subset of requested rooms the client may join. */
export type TWebSocketValidateRoomFn = (opts: {
  clientId: string;
  userId?: string;
  rooms: string[];
}) => ValueOrPromise<string[]>;

/** Called after a client is authenticated and has been sent `connected`. */
export type TWebSocketClientConnectedFn<MetadataType extends AnyObject = AnyObject> = (opts: {
  clientId: string;
  userId?: string;
  metadata?: MetadataType;
}) => ValueOrPromise<void>;

/** Called when an authenticated client goes away. */
export type TWebSocketClientDisconnectedFn = (opts: { clientId: string; userId?: string }) => ValueOrPromise<void>;

/** Receives every non-system event from an authenticated client. */
export type TWebSocketMessageHandler = (opts: {
  clientId: string;
  userId?: string;
  message: IWebSocketMessage;
}) => ValueOrPromise<void>;

/** Rewrites an outbound message for an encrypted client; `null` keeps `{ event, data }`. */
export type TWebSocketOutboundTransformer<DataType = unknown, MetadataType extends AnyObject = AnyObject> = (opts: {
  client: IWebSocketClient<MetadataType>;
  event: string;
  data: DataType;
  /** Request id when the message answers one (acks, errors, replies); include it in what you encrypt. */
  id?: string;
}) => ValueOrPromise<{ event: string; data: DataType } | null | undefined>;

/** Beyond the contract: called once for every connection that ends, authenticated or not. */
export type TWebSocketClientRemovedFn = (opts: { clientId: string; userId?: string }) => ValueOrPromise<void>;

/** Constructor options of `WebSocketServerHelper`. */
export interface IWebSocketServerOptions<
  AuthDataType extends AnyObject = AnyObject,
  MetadataType extends AnyObject = AnyObject,
> {
  /** Name used in logs. */
  identifier: string;
  /** Upgrade path (default `/ws`). */
  path?: string;
  /** Bun server; its `publish()` is the room fan-out fast path. */
  server: IBunServer;
  /** Redis for cross-instance delivery; absent means the in-process broker (one node, no Redis). */
  redisConnection?: DefaultRedisHelper | null;
  /** Rooms joined after authentication (default `['ws-default', 'ws-notification']`). */
  defaultRooms?: string[];
  /** Bun native options (defaults in `WebSocketDefaults`). */
  serverOptions?: IBunWebSocketConfig;
  /** ms to send `authenticate` (then 3x for `authenticateFn`); close 4001 (default 5000). */
  authTimeout?: number;
  /** ms between heartbeat sweeps (default 30000). */
  heartbeatInterval?: number;
  /** ms of silence before close 4002 (default 90000). */
  heartbeatTimeout?: number;
  /** Most transformer calls in flight during one fan-out (default 10). */
  encryptedBatchLimit?: number;
  /** Every client must complete `handshakeFn` during auth or be closed 4004 (default false). */
  requireEncryption?: boolean;
  authenticateFn: TWebSocketAuthenticateFn<AuthDataType, MetadataType>;
  validateRoomFn?: TWebSocketValidateRoomFn;
  clientConnectedFn?: TWebSocketClientConnectedFn<MetadataType>;
  clientDisconnectedFn?: TWebSocketClientDisconnectedFn;
  messageHandler?: TWebSocketMessageHandler;
  outboundTransformer?: TWebSocketOutboundTransformer<unknown, MetadataType>;
  handshakeFn?: TWebSocketHandshakeFn<AuthDataType>;
  /** Beyond the contract: see `TWebSocketClientRemovedFn`. */
  clientRemovedFn?: TWebSocketClientRemovedFn;
  /** Beyond the contract: limits against abusive clients (defaults in `WebSocketDefaults`). */
  protection?: IWebSocketProtectionOptions;
  /** Beyond the contract: typed, zod-validated inbound events (see `defineEvent`). */
  events?: readonly IWebSocketEventDefinition<any, any, MetadataType>[];
}

/** Limits against abusive clients; every number has a default in `WebSocketDefaults`. */
export interface IWebSocketProtectionOptions {
  /** Per-client token bucket over inbound frames; `false` turns it off. */
  rateLimit?: false | { perSecond?: number; burst?: number; closeAfterDropped?: number };
  /** Open connections per remote address (0 disables; default 0 because proxies share one address). */
  maxConnectionsPerIp?: number;
  /** Rooms a client may be in before further join requests are refused (0 disables; default 100). */
  maxRoomsPerClient?: number;
}

/** What a typed event handler gets beside its parsed data. */
export interface IWebSocketEventContext<MetadataType extends AnyObject = AnyObject> {
  clientId: string;
  userId?: string;
  metadata?: MetadataType;
  /** Request id, when the client sent one. */
  id?: string;
  /** Answers the request once (`<event>:reply` with the request id); later calls do nothing. */
  reply(data: unknown): void;
  /** Refuses the request with an app-defined error code (throws `WebSocketEventError`; not logged as a fault). */
  fail(code: string, message: string, details?: AnyObject): never;
  /** The server helper, to send to rooms, users or everyone. */
  helper: IWebSocketEventHelper;
}

/** The part of the helper an event handler may use (kept narrow to avoid a type cycle). */
export interface IWebSocketEventHelper {
  send(opts: { destination?: string; payload: { topic: string; data: unknown } }): void;
  sendToClient(opts: { clientId: string; event: string; data: unknown }): void;
  sendToRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): void;
  joinRoom(opts: { clientId: string; room: string }): void;
  leaveRoom(opts: { clientId: string; room: string }): void;
}

/** A minimal structural view of a zod schema, so types do not pin one zod build. */
export interface IWebSocketSchema<Output = unknown> {
  safeParse(data: unknown): { success: true; data: Output } | { success: false; error: { issues: readonly IWebSocketSchemaIssue[] } };
}

/** One validation issue as zod reports it. */
export interface IWebSocketSchemaIssue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
}

/** A typed inbound event: its name, its schema and its handler (see `defineEvent`). */
export interface IWebSocketEventDefinition<
  Output = unknown,
  Result = unknown,
  MetadataType extends AnyObject = AnyObject,
> {
  event: string;
  schema: IWebSocketSchema<Output>;
  /** Returning a value (other than undefined) replies to the request, like `ctx.reply`. */
  handler(data: Output, ctx: IWebSocketEventContext<MetadataType>): ValueOrPromise<Result | void>;
  /** Schema of the reply's data; used only to generate client types. */
  replySchema?: IWebSocketSchema<Result>;
}

/** Constructor options of `WebSocketEmitter`. */
export interface IWebSocketEmitterOptions {
  /** Name used in logs (default `'WebSocketEmitter'`). */
  identifier?: string;
  /** Redis to publish on; absent means the in-process broker (same-process nodes only). */
  redisConnection?: DefaultRedisHelper | null;
}

/** Delivery counters, so nothing is lost silently. */
export interface IWebSocketDeliveryStats {
  /** Frames handed to sockets one by one (direct, excluded and encrypted paths). */
  sent: number;
  /** Bun topic publishes (one per fan-out, whatever the member count). */
  published: number;
  /** Frames a socket refused (closed or closing); each is also logged, rate limited. */
  dropped: number;
  /** Sends that hit backpressure (queued by Bun, not lost). */
  backpressured: number;
  /** Transformer calls that threw; the message was not sent to that client. */
  transformFailed: number;
  /** Cross-instance publishes that failed. */
  publishFailed: number;
  /** Malformed cross-instance messages dropped. */
  malformedInbound: number;
  /** Cross-instance messages this node received (its own echoes included). */
  received: number;
}
