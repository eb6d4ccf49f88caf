/**
 * Client entry point. Imports nothing server-side, so bundlers can ship it to browsers.
 * Docs: wiki/client.md.
 */
export { WebSocketClient } from './client';
export {
  WebSocketClientConnectionStates,
  WebSocketClientDefaults,
  WebSocketClientErrorCodes,
  WebSocketClientLifecycleEvents,
  type TWebSocketClientConnectionState,
  type TWebSocketClientErrorCode,
  type TWebSocketClientLifecycleEvent,
} from './constants';
export { WebSocketClientError } from './errors';
export { backoffCeiling, computeBackoffDelay, type IBackoffInput } from './backoff';
export type {
  IClientSocket,
  IWebSocketClientDisconnectInfo,
  IWebSocketClientErrorEvent,
  IWebSocketClientIdentity,
  IWebSocketClientLifecycleEvents,
  IWebSocketClientOptions,
  IWebSocketClientReconnectOptions,
  IWebSocketRoomsAck,
  IWebSocketServerKeyInfo,
  TClientSocketConstructor,
  TWebSocketClientEventMap,
  TWebSocketClientHandler,
} from './types';
