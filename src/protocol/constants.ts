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
  static readonly UNKNOWN_EVENT = 'UNKNOWN_EVENT';
  static readonly HANDLER_ERROR = 'HANDLER_ERROR';
  static readonly VALIDATION_FAILED = 'VALIDATION_FAILED';
  static readonly RATE_LIMITED = 'RATE_LIMITED';
}
/** One of the error codes. */
export type TWebSocketErrorCode = TConstValue<typeof WebSocketErrorCodes>;

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

/** Redis channel names; identical to the contract so emitters of either side interoperate. */
export class WebSocketChannels {
  static readonly BROADCAST = 'ws:broadcast';
  static readonly ROOM_PREFIX = 'ws:room:';
  static readonly CLIENT_PREFIX = 'ws:client:';
  static readonly USER_PREFIX = 'ws:user:';

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
  /** Longest `connected` / `joined` wait for Redis to acknowledge new subscriptions (ms). */
  static readonly INTEREST_SETTLE_WAIT = 1_000;
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
