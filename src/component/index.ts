/** The Ignis component: `app.component(WebSocketComponent)`. Docs: wiki/component.md */
export * from './keys';
export * from './types';
export * from './websocket.component';
export * from './read-binding';
export * from './lazy-helper';
export * from './bun-fetch';
export * from './runtime';
export {
  ClientKeyStore,
  EcdhHandshakeProvider,
  AesGcmOutboundTransformerProvider,
  AesGcmInboundTransformerProvider,
  type IClientKeyReservation,
  type IEcdhAgreement,
} from './encryption';
export { JwtAuthenticateProvider } from './providers/jwt-authenticate.provider';
export {
  JwtVerifier,
  WEBSOCKET_JWT_DEFAULTS,
  findBearerTokenService,
  type IJwtRejection,
  type IWebSocketJwtOptions,
  type TJwtVerdict,
  type TResolvedWebSocketJwtOptions,
} from './providers/jwt-verifier';
export { DenyAllRoomsProvider } from './providers/deny-all-rooms.provider';
export { UnsetProvider } from './providers/unset.provider';
