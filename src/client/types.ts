/**
 * Public types of the client library: options, lifecycle payloads, the socket shape it needs and
 * the typed event map that joins server events with lifecycle events.
 */
import type { AnyObject, ValueOrPromise } from '../protocol/types.js';

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
  /** Reconnect after any close the app did not ask for, except 4003 and 4004 (default true). */
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
  /** Credentials sent in `authenticate`; called before every (re)connect so tokens can be fresh. */
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

/** Payload of the `error` lifecycle event, from the server or from the client itself. */
export interface IWebSocketClientErrorEvent {
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
}

/** Events `on()` accepts: server events (minus reserved names) plus lifecycle events. */
export type TWebSocketClientEventMap<ServerEvents extends AnyObject> = {
  // Key remapping keeps both named keys and an index signature (plain `Omit` would lose the names).
  [K in keyof ServerEvents as K extends keyof IWebSocketClientLifecycleEvents ? never : K]: ServerEvents[K];
} & IWebSocketClientLifecycleEvents;

/** Handler of one event; its return value is ignored (a rejected promise is reported). */
export type TWebSocketClientHandler<T> = (data: T) => unknown;
