/**
 * The component's encryption part: the key store, the three shipped providers (ECDH handshake,
 * AES-GCM outbound and inbound transformers) and the key clean-up. Docs: wiki/component.md#encryption
 */
export { ClientKeyStore, type IClientKeyReservation } from './client-key-store';
export { EcdhHandshakeProvider, type IEcdhAgreement } from './ecdh-handshake.provider';
export { AesGcmOutboundTransformerProvider } from './aes-gcm-outbound.provider';
export { AesGcmInboundTransformerProvider } from './aes-gcm-inbound.provider';
export { dropKeyOnRemoval } from './key-cleanup';
