/**
 * The component's encryption part: the key store, the three shipped providers (ECDH handshake,
 * AES-GCM outbound and inbound transformers) and the key clean-up. Docs: wiki/component.md#encryption
 */
export { ClientKeyStore, type IClientKeyReservation } from './client-key-store.js';
export { EcdhHandshakeProvider, type IEcdhAgreement } from './ecdh-handshake.provider.js';
export { AesGcmOutboundTransformerProvider } from './aes-gcm-outbound.provider.js';
export { AesGcmInboundTransformerProvider } from './aes-gcm-inbound.provider.js';
export { dropKeyOnRemoval } from './key-cleanup.js';
