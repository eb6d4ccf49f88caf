/**
 * Public types of the client library: options, lifecycle payloads, the socket shape it needs and
 * the typed event map that joins server events with lifecycle events.
 */
import type { AnyObject, IStreamPosition, ValueOrPromise } from '../protocol/types.js';

/**
 * The part of a WebSocket the client uses. The browser's, Bun's and Node's global `WebSocket`
 * (and the `ws` package) all fit. Handler parameters are `any` so each implementation's own
 * event classes are accepted.
 */
export interface IClientSocket {
  readonly readyState: number;
  onopen: ((ev: any) => unknown) | null;
  onmessage: ((ev: any) => unknown) | null;
  onclose: ((ev: any) => unknown) | null;
  onerror: ((ev: any) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class, e.g. the global `WebSocket`. */
export type TClientSocketConstructor = new (url: string) => IClientSocket;

/** Reconnect policy: exponential backoff with full jitter. */
export interface IWebSocketClientReconnectOptions {
  /** Reconnect after any close the app did not ask for, except 4003, 4004 and 4007 (kicked) (default true). */
  enabled?: boolean;
  /** Backoff ceiling of the first retry in ms; the wait is a random pick below it (default 1000). */
  initialDelayMs?: number;
  /** Largest backoff ceiling in ms, reached by doubling (default 30000). */
  maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (default Infinity). */
  maxAttempts?: number;
}

/** Constructor options of `WebSocketClient`. */
export interface IWebSocketClientOptions {
  /** Server endpoint, e.g. `wss://example.com/ws`. */
  url: string;
  /** Credentials sent in `authenticate`; called before every (re)connect so tokens can be fresh. A throw is retried with backoff (`AUTH_CALLBACK_FAILED`). */
  auth: () => ValueOrPromise<AnyObject>;
  /** Do the ECDH handshake; then only counted `encrypted` frames are accepted, and what the client sends is encrypted too (default false). */
  encryption?: boolean;
  /**
   * With `encryption`: checks the server's key before it is used, so an app can pin it (see
   * wiki/encryption.md); `false` or a throw ends the attempt with `SERVER_KEY_REJECTED` / 4004,
   * without retrying. Default: any key is used.
   */
  verifyServerKey?: (info: IWebSocketServerKeyInfo) => ValueOrPromise<boolean>;
  /** ms between heartbeats; keep it well under the server's `heartbeatTimeout` (default 25000). */
  heartbeatIntervalMs?: number;
  /** Reconnect policy (defaults in `WebSocketClientDefaults`). */
  reconnect?: IWebSocketClientReconnectOptions;
  /** ms to wait for the answer to `join` / `leave` (default 10000). */
  requestTimeoutMs?: number;
  /** WebSocket class to use instead of the global one. */
  WebSocketImpl?: TClientSocketConstructor;
}

/** What `verifyServerKey` is given: both public halves of this connection's key exchange. */
export interface IWebSocketServerKeyInfo {
  /** The server's ECDH P-256 public key (raw, base64) from `connected`. */
  serverPublicKey: string;
  /** The HKDF salt from `connected`. */
  salt: string;
  /** This connection's own ECDH public key (raw, base64), as sent in `authenticate`. */
  clientPublicKey: string;
}

/** Who the server says we are, from its `connected` event. */
export interface IWebSocketClientIdentity {
  /** Connection id given by the server (changes on every reconnect). */
  id: string;
  /** User id returned by the server's `authenticateFn`, if any. */
  userId?: string;
}

/** Answer to `join` / `leave`: rooms the server applied and rooms it refused. */
export interface IWebSocketRoomsAck {
  rooms: string[];
  refused: string[];
}

/** Payload of the `disconnected` lifecycle event. */
export interface IWebSocketClientDisconnectInfo {
  /** Close code (4003 also when the `auth` callback threw). */
  code: number;
  /** Close reason, or the server's error message when it sent one before closing. */
  reason: string;
  /** Whether another attempt is scheduled. */
  willReconnect: boolean;
}

/** One validation problem of a `VALIDATION_FAILED` error: where in the data, and what is wrong (zod's words). */
export interface IWebSocketClientIssue {
  /** Path into the data sent, e.g. `['items', 0, 'title']`; empty for the data as a whole. */
  path: (string | number)[];
  message: string;
  /** zod's issue code, e.g. `too_small`, when the server sent one. */
  code?: string;
}

/** What a server `error` event carries beside `message` and `code` (both optional). */
export interface IWebSocketServerErrorExtras {
  /** `VALIDATION_FAILED`: the problems the event's schema found, at most 10. */
  issues?: IWebSocketClientIssue[];
  /** An app error (`ctx.fail(code, message, details)` / `WebSocketEventError`): the details the handler gave. */
  details?: AnyObject;
}

/** Payload of the `error` lifecycle event, from the server or from the client itself. */
export interface IWebSocketClientErrorEvent extends IWebSocketServerErrorExtras {
  /** `server`: an `error` event the server sent; `client`: something the client detected. */
  source: 'server' | 'client';
  /** Server error code or one of `WebSocketClientErrorCodes`. */
  code: string;
  message: string;
  /** Request id the server error answers, if any. */
  id?: string;
  /** Underlying exception for client-side errors. */
  cause?: unknown;
}

/** Events the client emits itself; names are reserved and never dispatched from the server. */
export interface IWebSocketClientLifecycleEvents {
  /** Authenticated (after every successful connect, first or not). */
  connected: IWebSocketClientIdentity;
  /** Authenticated again after a lost connection, and rooms re-joined. */
  reconnected: IWebSocketClientIdentity & { rejoined: string[]; refused: string[] };
  /** Next attempt scheduled. */
  reconnecting: { attempt: number; delayMs: number };
  /** A socket closed (every attempt, so the last one says `willReconnect: false`). */
  disconnected: IWebSocketClientDisconnectInfo;
  /** A server `error` event, or a problem the client dropped (bad frame, failing handler...). */
  error: IWebSocketClientErrorEvent;
  /** A room with history was joined again with its last position (wiki/recovery.md); `recovered: false`: reload its state. */
  recovery: IWebSocketClientRecoveryEvent;
}

/** Answer to `history()`: a room's position now and its messages (wiki/recovery.md). */
export interface IWebSocketClientHistory {
  room: string;
  /** The room's position now (`epoch: ''` for a room without history). */
  pos: IStreamPosition;
  /** With `since`: whether every message after it is kept (false: the gap is older than the history, or the epoch changed). */
  recovered?: boolean;
  /** Oldest first: the newest `limit` without `since`, else the first `limit` after it. */
  messages: { event: string; data: unknown; pos: IStreamPosition }[];
}

/** Payload of the `recovery` lifecycle event: the outcome of re-joining one room with history. */
export interface IWebSocketClientRecoveryEvent {
  room: string;
  /** true: every missed message was delivered (before this event); false: some are gone (older than the history, or the history was lost). */
  recovered: boolean;
  /** How many missed messages were delivered to the handlers. */
  messages: number;
}

/** Events `on()` accepts: server events (minus reserved names) plus lifecycle events. */
export type TWebSocketClientEventMap<ServerEvents extends AnyObject> = {
  // Key remapping keeps both named keys and an index signature (plain `Omit` would lose the names).
  [K in keyof ServerEvents as K extends keyof IWebSocketClientLifecycleEvents ? never : K]: ServerEvents[K];
} & IWebSocketClientLifecycleEvents;

/** Handler of one event; its return value is ignored (a rejected promise is reported). */
export type TWebSocketClientHandler<T> = (data: T) => unknown;
