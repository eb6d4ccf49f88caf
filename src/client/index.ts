/**
 * Client entry point. Imports nothing server-side, so bundlers can ship it to browsers.
 * Docs: wiki/client.md.
 */
export { WebSocketClient } from './client.js';
export {
  WebSocketClientConnectionStates,
  WebSocketClientDefaults,
  WebSocketClientErrorCodes,
  WebSocketClientLifecycleEvents,
  type TWebSocketClientConnectionState,
  type TWebSocketClientErrorCode,
  type TWebSocketClientLifecycleEvent,
} from './constants.js';
export { WebSocketClientError } from './errors.js';
export { backoffCeiling, computeBackoffDelay, type IBackoffInput } from './backoff.js';
export type {
  IClientSocket,
  IWebSocketClientDisconnectInfo,
  IWebSocketClientErrorEvent,
  IWebSocketClientHistory,
  IWebSocketClientIdentity,
  IWebSocketClientIssue,
  IWebSocketClientLifecycleEvents,
  IWebSocketClientOptions,
  IWebSocketClientReconnectOptions,
  IWebSocketClientRecoveryEvent,
  IWebSocketRoomsAck,
  IWebSocketServerErrorExtras,
  IWebSocketServerKeyInfo,
  TClientSocketConstructor,
  TWebSocketClientEventMap,
  TWebSocketClientHandler,
} from './types.js';
