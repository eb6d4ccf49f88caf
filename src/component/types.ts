/**
 * Value types of the component's bindings. Docs: wiki/component.md#options
 */
import { WebSocketDefaults, type IBunWebSocketConfig, type IWebSocketProtectionOptions } from '../common';

/** Value of `WebSocketBindingKeys.SERVER_OPTIONS`; every field is optional and merged over the defaults. */
export interface IWebSocketComponentOptions {
  /** Name in logs (default `'WEBSOCKET_SERVER'`). */
  identifier?: string;
  /** Upgrade path; every other request goes to the app's Hono routes (default `'/ws'`). */
  path?: string;
  /** Rooms joined after authentication (default `['ws-default', 'ws-notification']`). */
  defaultRooms?: string[];
  /** Bun native WebSocket options, merged field by field over the helper's defaults. */
  serverOptions?: IBunWebSocketConfig;
  /** ms to send `authenticate`, then 3x for the auth callbacks; close 4001 (default 5000). */
  authTimeout?: number;
  /** ms between heartbeat sweeps; shorter finds dead clients sooner but scans more (default 30000). */
  heartbeatInterval?: number;
  /** ms of silence before close 4002 (default 90000). */
  heartbeatTimeout?: number;
  /** Most transformer calls in flight per fan-out; higher is faster, burns more CPU at once (default 10). */
  encryptedBatchLimit?: number;
  /** Every client must pass the handshake during auth or be closed 4004 (default false). */
  requireEncryption?: boolean;
  /** Limits against abusive clients (rate limit, connections per IP, rooms per client); default: the helper's. */
  protection?: IWebSocketProtectionOptions;
}

/** The options after merging: every field present. */
export type TResolvedWebSocketComponentOptions = Required<IWebSocketComponentOptions>;

/** Documented defaults of `SERVER_OPTIONS`. */
export const WEBSOCKET_COMPONENT_DEFAULTS: Readonly<TResolvedWebSocketComponentOptions> = Object.freeze({
  identifier: 'WEBSOCKET_SERVER',
  path: WebSocketDefaults.PATH,
  defaultRooms: [WebSocketDefaults.ROOM, WebSocketDefaults.NOTIFICATION_ROOM],
  serverOptions: {},
  authTimeout: WebSocketDefaults.AUTH_TIMEOUT,
  heartbeatInterval: WebSocketDefaults.HEARTBEAT_INTERVAL,
  heartbeatTimeout: WebSocketDefaults.HEARTBEAT_TIMEOUT,
  encryptedBatchLimit: WebSocketDefaults.ENCRYPTED_BATCH_LIMIT,
  requireEncryption: false,
  protection: {},
});

/** Merges app options over the defaults; `undefined` fields keep the default. */
export const mergeComponentOptions = (
  options: IWebSocketComponentOptions | null | undefined,
): TResolvedWebSocketComponentOptions => {
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  return {
    ...WEBSOCKET_COMPONENT_DEFAULTS,
    ...given,
    defaultRooms: [...(options?.defaultRooms ?? WEBSOCKET_COMPONENT_DEFAULTS.defaultRooms)],
    serverOptions: { ...options?.serverOptions },
    protection: { ...options?.protection },
  };
};
