/**
 * Words of the client library: connection states, lifecycle events, client-side error codes and
 * defaults. Protocol words (wire events, close codes, limits) stay in `src/protocol/constants.ts`.
 */
import { MAX_ROOMS_PER_REQUEST, type TConstValue } from '../protocol/constants.js';

/** Where a `WebSocketClient` is in its life. */
export class WebSocketClientConnectionStates {
  /** Built, `connect()` not called yet. */
  static readonly IDLE = 'idle';
  /** First connection (socket opening or authenticating). */
  static readonly CONNECTING = 'connecting';
  /** Authenticated; heartbeats running. */
  static readonly OPEN = 'open';
  /** Lost an open connection (or a first attempt) and waiting for or making the next attempt. */
  static readonly RECONNECTING = 'reconnecting';
  /** Terminal until `connect()` is called again: closed by the app, rejected, or out of attempts. */
  static readonly CLOSED = 'closed';
}
/** One of the client connection states. */
export type TWebSocketClientConnectionState = TConstValue<typeof WebSocketClientConnectionStates>;

/** Events the client itself emits through `on()`, beside the server's own events. */
export class WebSocketClientLifecycleEvents {
  static readonly CONNECTED = 'connected';
  static readonly RECONNECTED = 'reconnected';
  static readonly RECONNECTING = 'reconnecting';
  static readonly DISCONNECTED = 'disconnected';
  static readonly ERROR = 'error';
  /** Outcome of recovering a room with history after a re-join (wiki/recovery.md). */
  static readonly RECOVERY = 'recovery';

  static readonly SCHEME_SET = new Set<string>([
    this.CONNECTED,
    this.RECONNECTED,
    this.RECONNECTING,
    this.DISCONNECTED,
    this.ERROR,
    this.RECOVERY,
  ]);

  static isValid(input: string): input is TWebSocketClientLifecycleEvent {
    return this.SCHEME_SET.has(input);
  }
}
/** One of the lifecycle event names. */
export type TWebSocketClientLifecycleEvent = TConstValue<typeof WebSocketClientLifecycleEvents>;

/** Codes of problems the client detects itself (server `error` events keep the server's code). */
export class WebSocketClientErrorCodes {
  /** A server frame that is not JSON or not an `{ event }` object; it was dropped. */
  static readonly UNPARSEABLE_FRAME = 'UNPARSEABLE_FRAME';
  /** An `encrypted` frame that could not be decrypted; it was dropped. */
  static readonly DECRYPT_FAILED = 'DECRYPT_FAILED';
  /** An `encrypted` frame whose counter is not above the last one accepted (replayed or reordered); it was dropped. */
  static readonly REPLAYED_FRAME = 'REPLAYED_FRAME';
  /** A plaintext frame inside an encrypted session; it was dropped, since anyone on the path could have written it. */
  static readonly PLAINTEXT_REFUSED = 'PLAINTEXT_REFUSED';
  /** A server event named like a lifecycle event; it was dropped so it cannot impersonate one. */
  static readonly RESERVED_EVENT = 'RESERVED_EVENT';
  /** An event handler threw or rejected; other handlers still ran. */
  static readonly HANDLER_FAILED = 'HANDLER_FAILED';
  /** The `auth` option threw; the attempt is retried with backoff under the reconnect policy, like a failed connection. */
  static readonly AUTH_CALLBACK_FAILED = 'AUTH_CALLBACK_FAILED';
  /** `encryption: true` but no key: none offered, none derived, or none generated (no WebCrypto). */
  static readonly ENCRYPTION_UNAVAILABLE = 'ENCRYPTION_UNAVAILABLE';
  /** `verifyServerKey` refused the server's key (or threw); the client stops (no reconnect). */
  static readonly SERVER_KEY_REJECTED = 'SERVER_KEY_REJECTED';
  /** A request needs an open connection and there is none. */
  static readonly NOT_CONNECTED = 'NOT_CONNECTED';
  /** No answer to a `join` / `leave` within `requestTimeoutMs`. */
  static readonly REQUEST_TIMEOUT = 'REQUEST_TIMEOUT';
  /** The connection ended before the request was answered or before authentication finished. */
  static readonly CONNECTION_CLOSED = 'CONNECTION_CLOSED';
  /** `close()` was called. */
  static readonly CLOSED_BY_CLIENT = 'CLOSED_BY_CLIENT';
}
/** One of the client-side error codes. */
export type TWebSocketClientErrorCode = TConstValue<typeof WebSocketClientErrorCodes>;

/** Defaults of the client options. */
export class WebSocketClientDefaults {
  /** Well under the server's default 90 s `heartbeatTimeout`, so two beats may be lost safely. */
  static readonly HEARTBEAT_INTERVAL_MS = 25_000;
  static readonly RECONNECT_ENABLED = true;
  static readonly RECONNECT_INITIAL_DELAY_MS = 1_000;
  static readonly RECONNECT_MAX_DELAY_MS = 30_000;
  static readonly RECONNECT_MAX_ATTEMPTS = Number.POSITIVE_INFINITY;
  static readonly REQUEST_TIMEOUT_MS = 10_000;
  /** Rooms per `join` when re-joining after a reconnect: the most the server accepts in one request. */
  static readonly REJOIN_BATCH_SIZE = MAX_ROOMS_PER_REQUEST;
  /** Close code the client uses for its own, deliberate closes. */
  static readonly NORMAL_CLOSE = 1000;
}
