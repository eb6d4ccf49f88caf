/**
 * Options in, settings out: defaults applied and bad values refused at construction, so a typo
 * fails loudly at `new WebSocketClient()` instead of misbehaving on the first reconnect.
 */
import type { AnyObject, ValueOrPromise } from '../protocol/types.js';
import { WebSocketClientDefaults as Defaults } from './constants.js';
import type { IReconnectPolicy } from './reconnect-scheduler.js';
import type { IWebSocketClientOptions, TClientSocketConstructor } from './types.js';

/** Client options with every default filled in. */
export interface IResolvedClientSettings {
  url: string;
  auth: () => ValueOrPromise<AnyObject>;
  encryption: boolean;
  verifyServerKey?: IWebSocketClientOptions['verifyServerKey'];
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  reconnect: IReconnectPolicy;
  SocketImpl: TClientSocketConstructor;
}

const fail = (message: string): never => {
  throw new Error(`[WebSocketClient] ${message}`);
};

const positive = (name: string, value: number | undefined, fallback: number): number => {
  const resolved = value ?? fallback;
  if (!(resolved > 0)) fail(`${name} must be a positive number of ms, got ${value}`);
  return resolved;
};

const nonNegative = (name: string, value: number | undefined, fallback: number): number => {
  const resolved = value ?? fallback;
  if (!(resolved >= 0)) fail(`${name} must be zero or more, got ${value}`);
  return resolved;
};

/** Applies defaults and validates; throws an Error naming the bad option. */
export const resolveClientSettings = (options: IWebSocketClientOptions): IResolvedClientSettings => {
  let protocol = '';
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    fail(`url '${options.url}' is not a valid URL; pass e.g. 'wss://example.com/ws'`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(protocol)) {
    fail(`url must use ws:, wss:, http: or https:, got '${protocol}'`);
  }
  if (typeof options.auth !== 'function') fail('auth must be a function returning the credentials');
  if (options.verifyServerKey !== undefined) {
    if (typeof options.verifyServerKey !== 'function') fail('verifyServerKey must be a function returning true for a key to use');
    if (!options.encryption) fail('verifyServerKey checks the key of an encrypted session: set encryption: true too');
  }

  const SocketImpl = options.WebSocketImpl ?? (globalThis as { WebSocket?: TClientSocketConstructor }).WebSocket;
  if (!SocketImpl) fail('no global WebSocket in this runtime; pass WebSocketImpl (e.g. from the ws package)');

  const reconnect = options.reconnect ?? {};
  const initialDelayMs = nonNegative('reconnect.initialDelayMs', reconnect.initialDelayMs, Defaults.RECONNECT_INITIAL_DELAY_MS);
  const maxDelayMs = nonNegative('reconnect.maxDelayMs', reconnect.maxDelayMs, Defaults.RECONNECT_MAX_DELAY_MS);
  if (maxDelayMs < initialDelayMs) fail('reconnect.maxDelayMs must not be below reconnect.initialDelayMs');

  return {
    url: options.url,
    auth: options.auth,
    encryption: options.encryption ?? false,
    verifyServerKey: options.verifyServerKey,
    heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs, Defaults.HEARTBEAT_INTERVAL_MS),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, Defaults.REQUEST_TIMEOUT_MS),
    reconnect: {
      enabled: reconnect.enabled ?? Defaults.RECONNECT_ENABLED,
      initialDelayMs,
      maxDelayMs,
      maxAttempts: nonNegative('reconnect.maxAttempts', reconnect.maxAttempts, Defaults.RECONNECT_MAX_ATTEMPTS),
    },
    SocketImpl: SocketImpl as TClientSocketConstructor,
  };
};
