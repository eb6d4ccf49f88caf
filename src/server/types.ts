/**
 * Server-side types of the contract (`IWebSocketServerOptions`, callbacks, the client record, Bun
 * shapes) plus the few extensions this package adds beside them. Wire types live in `../protocol`.
 */
import type { AnyObject, IWebSocketMessage, TWebSocketClientState, ValueOrPromise } from '../protocol/index.js';
import type { IBunWebSocketConfig } from './options.js';

/** Data Bun keeps on each socket; set at upgrade time. */
export interface IWebSocketData {
  /** UUID assigned at upgrade. */
  clientId: string;
  /** Client address at upgrade: the peer, or what a trusted proxy forwarded (for logs and per-address limits). */
  ip?: string;
  /** True while the socket holds a slot of the unauthenticated caps (until it authenticates or closes). */
  pendingAuth?: boolean;
}

/** The part of Bun's `ServerWebSocket` the helper relies on (Bun's own type satisfies it). */
export interface IWebSocket<T = IWebSocketData> {
  readonly data: T;
  readonly remoteAddress: string;
  readonly readyState: number;
  send(data: string, compress?: boolean): number;
  /** Bytes queued on this socket and not yet written (the slow-consumer check). */
  getBufferedAmount(): number;
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
  /** Where Bun listens (`http://host:port/`), for the start-up line; absent on a Unix socket or a stand-in. */
  readonly url?: URL;
}

/** Object for `server.reload({ websocket })`: the four lifecycle callbacks plus native options. */
export interface IBunWebSocketHandler extends IBunWebSocketConfig {
  open(socket: IWebSocket): void;
  message(socket: IWebSocket, message: string | Buffer): void;
  close(socket: IWebSocket, code: number, reason: string): void;
  drain(socket: IWebSocket): void;
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

/**
 * Beyond the contract: reads each frame of an encrypted client (heartbeats aside) before it is
 * routed, one at a time per client in arrival order. Return the text of the frame it carries
 * (read and routed like any frame), or `null` to route the frame as it came. Throw
 * `WebSocketEventError(code, message)` to refuse it with that code; anything else thrown refuses
 * it as `DECRYPT_FAILED`.
 */
export type TWebSocketInboundTransformer<MetadataType extends AnyObject = AnyObject> = (opts: {
  client: IWebSocketClient<MetadataType>;
  event: string;
  data: unknown;
  id?: string;
}) => ValueOrPromise<string | null | undefined>;

/** Beyond the contract: called once for every connection that ends, authenticated or not. */
export type TWebSocketClientRemovedFn = (opts: { clientId: string; userId?: string }) => ValueOrPromise<void>;

/** Beyond the contract: what other members see about a connection in presence (`presence.info`); `undefined`: nothing. */
export type TWebSocketPresenceInfoFn = (opts: { clientId: string; userId?: string; metadata?: AnyObject }) => AnyObject | undefined;

/** Beyond the contract: the data of `presence:join` / `presence:leave`. */
export interface IWebSocketPresenceEvent {
  room: string;
  clientId: string;
  userId?: string;
  /** What `presence.info` picked for the connection. */
  info?: AnyObject;
}

/** Beyond the contract: a user came online (first connection anywhere) or went offline (last one gone, after `presence.offlineDelay`). */
export interface IWebSocketUserPresence {
  userId: string;
  status: 'online' | 'offline';
  /** Greater than the version of every earlier transition of this user: keep the highest seen, drop anything lower or equal. */
  version: number;
}

/** Beyond the contract: told about user online/offline transitions, at least once each (see wiki/presence.md). */
export type TWebSocketUserPresenceFn = (event: IWebSocketUserPresence) => ValueOrPromise<void>;

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

/**
 * Where `send()` delivers: a client id or a room name (the contract's string), or, beyond the
 * contract, `{ userId }` for every session of a user on every node.
 */
export type TWebSocketDestination = string | { userId: string };

/** The part of the helper an event handler may use (kept narrow to avoid a type cycle). */
export interface IWebSocketEventHelper {
  send(opts: { destination?: TWebSocketDestination; payload: { topic: string; data: unknown } }): void;
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

/** A typed event of any schema, as the helper stores them side by side. */
export type TAnyEventDefinition<MetadataType extends AnyObject = AnyObject> = IWebSocketEventDefinition<unknown, unknown, MetadataType>;

/** Delivery counters, so nothing is lost silently. */
export interface IWebSocketDeliveryStats {
  /** Frames handed to sockets one by one (direct, excluded and encrypted paths). */
  sent: number;
  /** Bun topic publishes (one per fan-out, whatever the member count). */
  published: number;
  /** Messages accepted for a client that never reached its socket: closed or closing, past `backpressureLimit`, past `maxQueuedEncrypted`, or gone before its encryption finished; logged, rate limited. */
  dropped: number;
  /** Sends that hit backpressure (queued by Bun, not lost). */
  backpressured: number;
  /** Clients closed with 4006 (slow consumer): past `backpressureLimit`, or `maxQueuedEncrypted` messages waiting for encryption. */
  slowConsumerClosed: number;
  /** Transformer calls that threw; the message was not sent to that client. */
  transformFailed: number;
  /** Cross-instance publishes that failed, for any reason (the three `publishDropped…` below included). */
  publishFailed: number;
  /** Publishes refused because the outbound buffer was at `broker.maxBufferedMessages` / `maxBufferedBytes` (never sent). */
  publishDroppedBufferFull: number;
  /** Publishes Redis did not acknowledge within `broker.publishTimeout` (fate unknown: they may have reached Redis). */
  publishDroppedTimeout: number;
  /** Publishes whose connection closed (or broker stopped) before Redis acknowledged them (fate unknown). */
  publishDroppedLost: number;
  /** A gauge, not a counter: publishes handed to the broker and not yet acknowledged or dropped (bounded by `broker.maxBufferedMessages`). */
  publishBuffered: number;
  /** Malformed cross-instance messages dropped. */
  malformedInbound: number;
  /** Well-formed cross-instance messages refused: a protocol event, or a type/target that disagrees with the channel. */
  refusedInbound: number;
  /** Cross-instance messages this node received (its own echoes included). */
  received: number;
}
