/** The Ignis component: `app.component(WebSocketComponent)`. Docs: wiki/component.md */
export * from './keys';
export * from './types';
export * from './websocket.component';
export * from './lazy-helper';
export * from './bun-fetch';
export * from './runtime';
export { ClientKeyStore } from './services/client-key-store';
export { JwtAuthenticateProvider, findBearerTokenService } from './providers/jwt-authenticate.provider';
export { DenyAllRoomsProvider } from './providers/deny-all-rooms.provider';
export { EcdhHandshakeProvider } from './providers/ecdh-handshake.provider';
export { AesGcmOutboundTransformerProvider } from './providers/aes-gcm-outbound.provider';
export { UnsetProvider } from './providers/unset.provider';
