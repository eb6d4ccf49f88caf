/**
 * Protocol words in one place: events, client states, close codes, error codes, socket ready
 * states, Redis channels, limits and defaults. Browser-safe (the client imports it). Nothing
 * else in the package spells these as string literals.
 */

/** Helper for `typeof X[keyof typeof X]` over a constant class. */
export type TConstValue<T> = T[Exclude<keyof T, 'prototype' | 'SCHEME_SET' | 'isValid'>];

/** Built-in event names of the wire protocol. */
export class WebSocketEvents {
  static readonly AUTHENTICATE = 'authenticate';
  static readonly CONNECTED = 'connected';
  static readonly DISCONNECT = 'disconnect';
  static readonly JOIN = 'join';
  static readonly LEAVE = 'leave';
  static readonly ERROR = 'error';
  static readonly HEARTBEAT = 'heartbeat';
  static readonly ENCRYPTED = 'encrypted';
  /** Beyond the contract: answer to a `join` request, naming rooms joined and refused. */
  static readonly JOINED = 'joined';
  /** Beyond the contract: answer to a `leave` request, naming rooms left and refused. */
  static readonly LEFT = 'left';
  /** Beyond the contract: a connection joined a room whose presence policy announces it (`{ room, clientId, userId?, info? }`). */
  static readonly PRESENCE_JOIN = 'presence:join';
  /** Beyond the contract: a connection left such a room, or its node's presence lease ran out. */
  static readonly PRESENCE_LEAVE = 'presence:leave';
  /** Beyond the contract: a member asks for a room's history (`{ room, since?, limit? }`, answered by `history:reply`; wiki/recovery.md). */
  static readonly HISTORY = 'history';

  static readonly SCHEME_SET = new Set<string>([
    this.AUTHENTICATE,
    this.CONNECTED,
    this.DISCONNECT,
    this.JOIN,
    this.LEAVE,
    this.ERROR,
    this.HEARTBEAT,
    this.ENCRYPTED,
    this.JOINED,
    this.LEFT,
    this.PRESENCE_JOIN,
    this.PRESENCE_LEAVE,
    this.HISTORY,
  ]);

  static isValid(input: string): input is TWebSocketEvent {
    return this.SCHEME_SET.has(input);
  }
}
/** One of the built-in event names. */
export type TWebSocketEvent = TConstValue<typeof WebSocketEvents>;

/** Authentication state of a tracked client. */
export class WebSocketClientStates {
  static readonly UNAUTHORIZED = 'unauthorized';
  static readonly AUTHENTICATING = 'authenticating';
  static readonly AUTHENTICATED = 'authenticated';
  static readonly DISCONNECTED = 'disconnected';

  static readonly SCHEME_SET = new Set<string>([
    this.UNAUTHORIZED,
    this.AUTHENTICATING,
    this.AUTHENTICATED,
    this.DISCONNECTED,
  ]);

  static isValid(input: string): input is TWebSocketClientState {
    return this.SCHEME_SET.has(input);
  }
}
/** One of the four client states. */
export type TWebSocketClientState = TConstValue<typeof WebSocketClientStates>;

/** Close codes the server uses; 1007 and 1009 are Bun's own answers to bad frames. */
export class WebSocketCloseCodes {
  static readonly GOING_AWAY = 1001;
  /** A text frame that is not valid UTF-8. */
  static readonly INVALID_PAYLOAD = 1007;
  /** A frame larger than `maxPayloadLength`. */
  static readonly MESSAGE_TOO_BIG = 1009;
  static readonly AUTH_TIMEOUT = 4001;
  static readonly HEARTBEAT_TIMEOUT = 4002;
  static readonly AUTH_FAILED = 4003;
  static readonly ENCRYPTION_REQUIRED = 4004;
  /** Beyond the contract: the client kept sending past its rate limit. */
  static readonly RATE_LIMITED = 4005;
  /** Beyond the contract: the client did not read fast enough (socket past `backpressureLimit`, or `maxQueuedEncrypted` reached). */
  static readonly SLOW_CONSUMER = 4006;
  /** Beyond the contract: closed by the application (`helper.cluster.disconnect()` on any node, or `emitter.disconnect()`); the client library does not reconnect. */
  static readonly KICKED = 4007;
}

/** `readyState` values of a WebSocket (the same numbers in browsers, Bun and Node). */
export class WebSocketReadyStates {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
}

/** Machine-readable `code` carried by every `error` event the server sends. */
export class WebSocketErrorCodes {
  static readonly INVALID_JSON = 'INVALID_JSON';
  static readonly INVALID_MESSAGE = 'INVALID_MESSAGE';
  static readonly BINARY_NOT_SUPPORTED = 'BINARY_NOT_SUPPORTED';
  static readonly INVALID_ROOMS = 'INVALID_ROOMS';
  static readonly NOT_AUTHENTICATED = 'NOT_AUTHENTICATED';
  static readonly ALREADY_AUTHENTICATED = 'ALREADY_AUTHENTICATED';
  static readonly AUTH_IN_PROGRESS = 'AUTH_IN_PROGRESS';
  static readonly AUTH_FAILED = 'AUTH_FAILED';
  static readonly ENCRYPTION_REQUIRED = 'ENCRYPTION_REQUIRED';
  /** Beyond the contract: a plaintext frame from a client whose session is encrypted (heartbeats aside). */
  static readonly PLAINTEXT_REFUSED = 'PLAINTEXT_REFUSED';
  /** Beyond the contract: an `encrypted` frame from the client that did not decrypt with its key and counter. */
  static readonly DECRYPT_FAILED = 'DECRYPT_FAILED';
  /** Beyond the contract: an `encrypted` frame whose counter is not above the last one accepted (replayed or reordered). */
  static readonly REPLAYED_FRAME = 'REPLAYED_FRAME';
  static readonly UNKNOWN_EVENT = 'UNKNOWN_EVENT';
  static readonly HANDLER_ERROR = 'HANDLER_ERROR';
  static readonly VALIDATION_FAILED = 'VALIDATION_FAILED';
  static readonly RATE_LIMITED = 'RATE_LIMITED';
  /** Beyond the contract: the frame nests arrays/objects deeper than `protection.maxJsonDepth`. */
  static readonly TOO_DEEP = 'TOO_DEEP';
  /** Beyond the contract: a `history` request that is malformed, or for a room the client is not a member of. */
  static readonly HISTORY_REFUSED = 'HISTORY_REFUSED';
}
/** One of the error codes. */
export type TWebSocketErrorCode = TConstValue<typeof WebSocketErrorCodes>;

/**
 * Beyond the contract, never on the wire: the `messageCode` of the error a cross-instance publish
 * (`send()`'s publish, a `WebSocketEmitter` method) rejects with when it is dropped. Each one is
 * counted in `getStats()` (`publishDroppedBufferFull`, `publishDroppedTimeout`, `publishDroppedLost`).
 */
export class WebSocketPublishErrorCodes {
  /** The outbound buffer held `broker.maxBufferedMessages` / `maxBufferedBytes` already; never sent. */
  static readonly BUFFER_FULL = 'PUBLISH_BUFFER_FULL';
  /** Redis did not acknowledge it within `broker.publishTimeout`; it may or may not have been published. */
  static readonly TIMEOUT = 'PUBLISH_TIMEOUT';
  /** The connection closed (or the broker stopped) before Redis acknowledged it; it may or may not have been published. */
  static readonly LOST = 'PUBLISH_LOST';
}
/** One of the publish error codes. */
export type TWebSocketPublishErrorCode = TConstValue<typeof WebSocketPublishErrorCodes>;

/** Target kinds of a cross-instance message. */
export class WebSocketMessageTypes {
  static readonly CLIENT = 'client';
  static readonly USER = 'user';
  static readonly ROOM = 'room';
  static readonly BROADCAST = 'broadcast';

  static readonly SCHEME_SET = new Set<string>([this.CLIENT, this.USER, this.ROOM, this.BROADCAST]);

  static isValid(input: string): input is TWebSocketMessageType {
    return this.SCHEME_SET.has(input);
  }
}
/** One of `client | user | room | broadcast`. */
export type TWebSocketMessageType = TConstValue<typeof WebSocketMessageTypes>;

/**
 * Beyond the contract: the words of a node-to-node command on `ws:control`. Its `type` is
 * `'control'`, which no client-message envelope (`client | user | room | broadcast`) can have.
 */
export class WebSocketControlActions {
  /** The `type` of every control envelope. */
  static readonly TYPE = 'control';
  /** Close a client's or a user's sockets on every node. */
  static readonly DISCONNECT = 'disconnect';
}

/** Redis channel names; identical to the contract so emitters of either side interoperate. */
export class WebSocketChannels {
  static readonly BROADCAST = 'ws:broadcast';
  static readonly ROOM_PREFIX = 'ws:room:';
  static readonly CLIENT_PREFIX = 'ws:client:';
  static readonly USER_PREFIX = 'ws:user:';
  /**
   * Beyond the contract: node-to-node commands (`TRedisControlMessage`, e.g. disconnect a user on
   * every node). Every node listens; nothing on it is ever delivered to a client, and no
   * contract channel carries a command. The reference's patterns (`ws:room:*`…) do not match it.
   */
  static readonly CONTROL = 'ws:control';

  static forRoom(opts: { room: string }): string {
    return this.ROOM_PREFIX + opts.room;
  }

  static forClient(opts: { clientId: string }): string {
    return this.CLIENT_PREFIX + opts.clientId;
  }

  static forUser(opts: { userId: string }): string {
    return this.USER_PREFIX + opts.userId;
  }
}

/** Defaults of every option; the option docs in `types.ts` refer to these. */
export class WebSocketDefaults {
  static readonly PATH = '/ws';
  static readonly ROOM = 'ws-default';
  static readonly NOTIFICATION_ROOM = 'ws-notification';
  /** Bun topic every authenticated, unencrypted client is subscribed to. */
  static readonly BROADCAST_TOPIC = 'ws:internal:broadcast';
  /** Prefix reserved for internal names; clients can never join a room that starts with it. */
  static readonly RESERVED_ROOM_PREFIX = 'ws:';
  static readonly MAX_PAYLOAD_LENGTH = 128 * 1024;
  static readonly IDLE_TIMEOUT = 60;
  static readonly BACKPRESSURE_LIMIT = 1024 * 1024;
  static readonly SEND_PINGS = true;
  static readonly PUBLISH_TO_SELF = false;
  static readonly AUTH_TIMEOUT = 5_000;
  static readonly HEARTBEAT_INTERVAL = 30_000;
  static readonly HEARTBEAT_TIMEOUT = 90_000;
  static readonly ENCRYPTED_BATCH_LIMIT = 10;
  /** Messages one encrypted client may have waiting for the transformer before the slow-consumer policy applies. */
  static readonly MAX_QUEUED_ENCRYPTED = 1_000;
  /** Sustained inbound frames per second per client. */
  static readonly RATE_LIMIT_PER_SECOND = 100;
  /** Frames a client may send in a burst above the sustained rate. */
  static readonly RATE_LIMIT_BURST = 200;
  /** Frames dropped for rate within 10 s after which the client is closed with 4005. */
  static readonly RATE_LIMIT_CLOSE_AFTER_DROPPED = 1_000;
  /** Open connections per remote address; 0 (default) disables, because behind a proxy every client shares one address. */
  static readonly MAX_CONNECTIONS_PER_IP = 0;
  /** Rooms a client may be in before its join requests are refused (own-id room not counted). */
  static readonly MAX_ROOMS_PER_CLIENT = 100;
  /** Deepest array/object nesting of an inbound frame, the envelope object counting as 1. */
  static readonly MAX_JSON_DEPTH = 32;
  /** Sockets on one node that have not authenticated yet; past it upgrades get HTTP 503. */
  static readonly MAX_UNAUTHENTICATED = 10_000;
  /** Sockets from one address that have not authenticated yet; past it upgrades get HTTP 429. */
  static readonly MAX_UNAUTHENTICATED_PER_IP = 64;
  /** Publishes a node keeps waiting for Redis (sent and unacknowledged, or queued while it is away). */
  static readonly PUBLISH_BUFFER_MESSAGES = 10_000;
  /** Encoded bytes of those publishes (16 MiB). */
  static readonly PUBLISH_BUFFER_BYTES = 16 * 1024 * 1024;
  /** ms Redis has to acknowledge a publish before it is dropped as timed out. */
  static readonly PUBLISH_TIMEOUT = 5_000;
  /** ms `shutdown()` waits for Redis to answer QUIT before dropping the connections. */
  static readonly BROKER_CLOSE_TIMEOUT = 2_000;
  /** Longest `connected` / `joined` wait for Redis to acknowledge new subscriptions (ms). */
  static readonly INTEREST_SETTLE_WAIT = 1_000;
  /** ms between refreshes of a node's presence leases (`presence.refreshInterval`). */
  static readonly PRESENCE_REFRESH_INTERVAL = 3_000;
  /** ms a node's presence entries live without a refresh: a dead node is gone from presence within it (`presence.lease`). */
  static readonly PRESENCE_LEASE = 9_000;
  /** ms a user's last connection must stay gone before `userPresenceFn` hears offline (`presence.offlineDelay`). */
  static readonly PRESENCE_OFFLINE_DELAY = 5_000;
  /** Readiness route the component mounts (`healthPath`). */
  static readonly HEALTH_PATH = '/health/ws';
  /** ms Redis has to answer the readiness check's PING (`healthTimeout`). */
  static readonly HEALTH_TIMEOUT = 1_000;
  /** Suffix of the event that answers a typed event's request. */
  static readonly REPLY_SUFFIX = ':reply';
  /** `serverId` of every message a `WebSocketEmitter` publishes. */
  static readonly EMITTER_SERVER_ID = 'emitter';
}

/** Most rooms one join or leave request may name. */
export const MAX_ROOMS_PER_REQUEST = 100;
/** Longest room name accepted from a client. */
export const MAX_ROOM_NAME_LENGTH = 256;

const CLIENT_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Client ids are UUIDs. A name of that shape is reserved for the own-id room of the client it
 * names, so a client can never join a room that would receive another client's direct messages.
 */
export const isClientIdShaped = (name: string): boolean => CLIENT_ID_SHAPE.test(name);
