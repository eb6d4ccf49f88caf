/**
 * The component's options: the server's tunable options (declared, documented and defaulted in
 * `src/server/options.ts`) plus what only the component adds. Docs: wiki/component.md#options-server_options
 */
import { WEBSOCKET_SERVER_DEFAULTS, type IWebSocketTunableOptions } from '../server/options.js';

/** Value of `WebSocketBindingKeys.SERVER_OPTIONS`: every field optional; the helper fills in the defaults. */
export interface IWebSocketComponentOptions extends IWebSocketTunableOptions {
  /** Name in logs (default `'WEBSOCKET_SERVER'`). */
  identifier?: string;
}

/** The options after merging: every field present. */
export type TResolvedWebSocketComponentOptions = Required<IWebSocketComponentOptions>;

/**
 * Documented defaults of `SERVER_OPTIONS`, taken from `WEBSOCKET_SERVER_DEFAULTS`; the nested
 * `serverOptions`, `protection`, `broker` and `presence` are `{}` because the helper merges them field by field.
 */
export const WEBSOCKET_COMPONENT_DEFAULTS: Readonly<TResolvedWebSocketComponentOptions> = Object.freeze({
  identifier: 'WEBSOCKET_SERVER',
  path: WEBSOCKET_SERVER_DEFAULTS.path,
  defaultRooms: [...WEBSOCKET_SERVER_DEFAULTS.defaultRooms],
  serverOptions: {},
  authTimeout: WEBSOCKET_SERVER_DEFAULTS.authTimeout,
  heartbeatInterval: WEBSOCKET_SERVER_DEFAULTS.heartbeatInterval,
  heartbeatTimeout: WEBSOCKET_SERVER_DEFAULTS.heartbeatTimeout,
  encryptedBatchLimit: WEBSOCKET_SERVER_DEFAULTS.encryptedBatchLimit,
  maxQueuedEncrypted: WEBSOCKET_SERVER_DEFAULTS.maxQueuedEncrypted,
  requireEncryption: WEBSOCKET_SERVER_DEFAULTS.requireEncryption,
  logFormat: WEBSOCKET_SERVER_DEFAULTS.logFormat,
  metricsPath: WEBSOCKET_SERVER_DEFAULTS.metricsPath,
  healthPath: WEBSOCKET_SERVER_DEFAULTS.healthPath,
  healthTimeout: WEBSOCKET_SERVER_DEFAULTS.healthTimeout,
  protection: {},
  broker: {},
  presence: {},
});

/**
 * Merges app options over `WEBSOCKET_COMPONENT_DEFAULTS` (undefined fields keep the default,
 * nested objects are copied), to show what the helper will run with. The component itself
 * does not call it: it hands the bound options to the helper, whose `resolveServerOptions()`
 * is the one place defaults are applied.
 */
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
    broker: { ...options?.broker },
    presence: { ...options?.presence },
  };
};

