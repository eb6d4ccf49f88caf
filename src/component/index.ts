/** The Ignis component: `app.component(WebSocketComponent)`. Docs: wiki/component.md */
export * from './keys.js';
export * from './types.js';
export * from './websocket.component.js';
export * from './read-binding.js';
export * from './lazy-helper.js';
export * from './bun-fetch.js';
export { mountOperationsRoutes, type IOperationsTarget } from './operations-routes.js';
export * from './runtime.js';
export {
  ClientKeyStore,
  EcdhHandshakeProvider,
  AesGcmOutboundTransformerProvider,
  AesGcmInboundTransformerProvider,
  type IClientKeyReservation,
  type IEcdhAgreement,
} from './encryption/index.js';
export { JwtAuthenticateProvider } from './providers/jwt-authenticate.provider.js';
export {
  JwtVerifier,
  WEBSOCKET_JWT_DEFAULTS,
  findBearerTokenService,
  type IJwtRejection,
  type IWebSocketJwtOptions,
  type TJwtVerdict,
  type TResolvedWebSocketJwtOptions,
} from './providers/jwt-verifier.js';
export { DenyAllRoomsProvider } from './providers/deny-all-rooms.provider.js';
export { UnsetProvider } from './providers/unset.provider.js';
