/**
 * Binding keys of the WebSocket component and the type of value each one holds. The first ten
 * are the contract's keys with the contract's strings, so apps written against the reference
 * component bind the same way. Docs: wiki/component.md#binding-keys
 */
import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { WebSocketServerHelper } from '../server/helper.js';
import type { TWebSocketHistoryPolicyFn } from '../server/history.js';
import type {
  IWebSocketEventDefinition,
  TWebSocketAuthenticateFn,
  TWebSocketClientConnectedFn,
  TWebSocketClientDisconnectedFn,
  TWebSocketClientRemovedFn,
  TWebSocketHandshakeFn,
  TWebSocketInboundTransformer,
  TWebSocketMessageHandler,
  TWebSocketOutboundTransformer,
  TWebSocketUserPresenceFn,
  TWebSocketValidateRoomFn,
} from '../server/types.js';
import type { ClientKeyStore } from './encryption/client-key-store.js';
import type { IWebSocketJwtOptions } from './providers/jwt-verifier.js';
import type { IWebSocketComponentOptions } from './types.js';

export class WebSocketBindingKeys {
  /**
   * The running `WebSocketServerHelper`; bound by the post-start hook, unbound on `app.stop()`.
   * Read it lazily (see `LazyWebSocketHelper`), never in a constructor.
   *
   * @example
   * const ws = app.get<WebSocketServerHelper>({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE, isOptional: true });
   */
  static readonly WEBSOCKET_INSTANCE = '@app/websocket/instance';

  /**
   * `IWebSocketComponentOptions`: the helper's tunable options plus `identifier`; fields left out
   * take the helper's defaults (listed in `WEBSOCKET_COMPONENT_DEFAULTS`).
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ path: '/realtime', requireEncryption: true });
   */
  static readonly SERVER_OPTIONS = '@app/websocket/server-options';

  /**
   * Optional Ignis `DefaultRedisHelper` (`RedisHelper` / `RedisClusterHelper`). Absent or null:
   * the in-process broker (one process). Anything else fails start-up.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(new RedisHelper({ name: 'ws', host, port, password }));
   */
  static readonly REDIS_CONNECTION = '@app/websocket/redis-connection';

  /**
   * `TWebSocketAuthenticateFn`. Default `JwtAuthenticateProvider`: verifies `{ type: 'Bearer', token }`
   * with the app's Ignis JWT token service.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);
   */
  static readonly AUTHENTICATE_HANDLER = '@app/websocket/authenticate-handler';

  /**
   * `TWebSocketValidateRoomFn`. Default `DenyAllRoomsProvider`: every join request is refused.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.VALIDATE_ROOM_HANDLER }).toProvider(MyRoomPolicyProvider);
   */
  static readonly VALIDATE_ROOM_HANDLER = '@app/websocket/validate-room-handler';

  /**
   * `TWebSocketClientConnectedFn`. Default: nothing is called.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER }).toProvider(PresenceOnlineProvider);
   */
  static readonly CLIENT_CONNECTED_HANDLER = '@app/websocket/client-connected-handler';

  /**
   * `TWebSocketClientDisconnectedFn` (authenticated clients only). Default: nothing is called.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER }).toProvider(PresenceOfflineProvider);
   */
  static readonly CLIENT_DISCONNECTED_HANDLER = '@app/websocket/client-disconnected-handler';

  /**
   * `TWebSocketMessageHandler` for non-system events. Default: none (custom events are answered
   * with an `UNKNOWN_EVENT` error).
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.MESSAGE_HANDLER }).toProvider(ChatMessageProvider);
   */
  static readonly MESSAGE_HANDLER = '@app/websocket/message-handler';

  /**
   * `TWebSocketOutboundTransformer`, run for encrypted clients only. Default
   * `AesGcmOutboundTransformerProvider`; override together with `HANDSHAKE_HANDLER`.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.OUTBOUND_TRANSFORMER }).toProvider(MyCipherProvider);
   */
  static readonly OUTBOUND_TRANSFORMER = '@app/websocket/outbound-transformer';

  /**
   * Beyond the contract: `TWebSocketInboundTransformer`, run on every frame of an encrypted client
   * before it is routed. Default `AesGcmInboundTransformerProvider` (only counted `encrypted`
   * frames are accepted); override together with `HANDSHAKE_HANDLER` and `OUTBOUND_TRANSFORMER`.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.INBOUND_TRANSFORMER }).toProvider(MyOpenerProvider);
   */
  static readonly INBOUND_TRANSFORMER = '@app/websocket/inbound-transformer';

  /**
   * `TWebSocketHandshakeFn`, run during auth when `requireEncryption` is on. Default
   * `EcdhHandshakeProvider` (ECDH P-256 + HKDF-SHA-256 with a random salt).
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER }).toProvider(MyKeyExchangeProvider);
   */
  static readonly HANDSHAKE_HANDLER = '@app/websocket/handshake-handler';

  /**
   * Beyond the contract: `TWebSocketClientRemovedFn`, called once for every connection that
   * ends, authenticated or not. Runs after the component dropped the client's key. Default: none.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(ConnectionAuditProvider);
   */
  static readonly CLIENT_REMOVED_HANDLER = '@app/websocket/client-removed-handler';

  /**
   * Beyond the contract: `TWebSocketUserPresenceFn`, told when a user comes online (first
   * connection on any node) or goes offline (last one gone, after `presence.offlineDelay`), at
   * least once per transition, each with a version (wiki/presence.md). Default: none (nothing
   * is tracked per user).
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.USER_PRESENCE_HANDLER }).toProvider(UserStatusProvider);
   */
  static readonly USER_PRESENCE_HANDLER = '@app/websocket/user-presence-handler';

  /**
   * Beyond the contract: `TWebSocketHistoryPolicyFn`, which rooms keep a history for recovery
   * and `history()`: `(room) => false | { size, ttlSeconds }` (wiki/recovery.md). Default: none
   * (no room keeps one). Give every node (and `WebSocketEmitter`) the same function.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.HISTORY_POLICY }).toValue(room => (room.startsWith('chat:') ? { size: 1000, ttlSeconds: 3600 } : false));
   */
  static readonly HISTORY_POLICY = '@app/websocket/history-policy';

  /**
   * Beyond the contract: typed, zod-validated inbound events (`IWebSocketEventDefinition[]`, see
   * `defineEvent` and wiki/typed-events.md). A provider can inject the services the handlers use.
   * Default: none.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.EVENTS }).toProvider(ChatEventsProvider);
   */
  static readonly EVENTS = '@app/websocket/events';

  /**
   * Beyond the contract: the component's `ClientKeyStore` (AES keys of connected encrypted
   * clients), shared by the shipped handshake and transformer providers.
   *
   * @example
   * constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private keys: ClientKeyStore) {}
   */
  static readonly ENCRYPTION_KEYS = '@app/websocket/encryption-keys';

  /**
   * Beyond the contract: `IWebSocketJwtOptions`, how strictly the default `JwtAuthenticateProvider`
   * checks a token (algorithm allow-list, `audience`, `issuer`, required `exp`, clock tolerance,
   * maximum length). Unbound: the app's own algorithm, `exp` required, no `aud` / `iss` check.
   *
   * @example
   * app.bind({ key: WebSocketBindingKeys.JWT_OPTIONS }).toValue({ audience: 'chat', issuer: 'https://auth.example.com' });
   */
  static readonly JWT_OPTIONS = '@app/websocket/jwt-options';
}

/**
 * The value type of every key, in the spirit of LoopBack's `BindingKey.create<T>()`: the key
 * strings stay plain strings (the contract's), and this map carries their types.
 * `readWebSocketBinding(app, key)` returns the value with its type.
 */
export interface IWebSocketBindingValues {
  [WebSocketBindingKeys.WEBSOCKET_INSTANCE]: WebSocketServerHelper;
  [WebSocketBindingKeys.SERVER_OPTIONS]: IWebSocketComponentOptions;
  [WebSocketBindingKeys.REDIS_CONNECTION]: DefaultRedisHelper | null;
  [WebSocketBindingKeys.AUTHENTICATE_HANDLER]: TWebSocketAuthenticateFn;
  [WebSocketBindingKeys.VALIDATE_ROOM_HANDLER]: TWebSocketValidateRoomFn;
  [WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER]: TWebSocketClientConnectedFn;
  [WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER]: TWebSocketClientDisconnectedFn;
  [WebSocketBindingKeys.MESSAGE_HANDLER]: TWebSocketMessageHandler;
  [WebSocketBindingKeys.OUTBOUND_TRANSFORMER]: TWebSocketOutboundTransformer;
  [WebSocketBindingKeys.INBOUND_TRANSFORMER]: TWebSocketInboundTransformer;
  [WebSocketBindingKeys.HANDSHAKE_HANDLER]: TWebSocketHandshakeFn;
  [WebSocketBindingKeys.CLIENT_REMOVED_HANDLER]: TWebSocketClientRemovedFn;
  [WebSocketBindingKeys.USER_PRESENCE_HANDLER]: TWebSocketUserPresenceFn;
  [WebSocketBindingKeys.HISTORY_POLICY]: TWebSocketHistoryPolicyFn;
  [WebSocketBindingKeys.EVENTS]: readonly IWebSocketEventDefinition[];
  [WebSocketBindingKeys.ENCRYPTION_KEYS]: ClientKeyStore;
  [WebSocketBindingKeys.JWT_OPTIONS]: IWebSocketJwtOptions;
}

/** Every key string of `WebSocketBindingKeys`. */
export type TWebSocketBindingKey = (typeof WebSocketBindingKeys)[Exclude<keyof typeof WebSocketBindingKeys, 'prototype'>];

/** The value type bound at key `K` (a key missing from `IWebSocketBindingValues` fails to compile here). */
export type TWebSocketBindingValue<K extends TWebSocketBindingKey> = IWebSocketBindingValues[K];

/** The keys whose value is a callback an app may leave unset (its provider resolves to `undefined`). */
export type TWebSocketCallbackKey =
  | typeof WebSocketBindingKeys.AUTHENTICATE_HANDLER
  | typeof WebSocketBindingKeys.VALIDATE_ROOM_HANDLER
  | typeof WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER
  | typeof WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER
  | typeof WebSocketBindingKeys.MESSAGE_HANDLER
  | typeof WebSocketBindingKeys.OUTBOUND_TRANSFORMER
  | typeof WebSocketBindingKeys.INBOUND_TRANSFORMER
  | typeof WebSocketBindingKeys.HANDSHAKE_HANDLER
  | typeof WebSocketBindingKeys.CLIENT_REMOVED_HANDLER
  | typeof WebSocketBindingKeys.USER_PRESENCE_HANDLER
  | typeof WebSocketBindingKeys.HISTORY_POLICY;
