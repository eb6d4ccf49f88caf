/**
 * The component's encryption part: the key store, the two shipped providers (ECDH handshake,
 * AES-GCM transformer) and the key clean-up. Docs: wiki/component.md#encryption
 */
export { ClientKeyStore, type IClientKeyReservation } from './client-key-store';
export { EcdhHandshakeProvider, type IEcdhAgreement } from './ecdh-handshake.provider';
export { AesGcmOutboundTransformerProvider } from './aes-gcm-outbound.provider';
export { dropKeyOnRemoval } from './key-cleanup';
