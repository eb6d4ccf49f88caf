import { BaseProvider, inject, type Container } from '@venizia/ignis';
import { deriveAesKey, generateEcdhKeyPair, generateSalt, type TWebSocketHandshakeFn } from '../../common';
import { WebSocketBindingKeys } from '../keys';
import { findWebSocketHelper } from '../lazy-helper';
import type { ClientKeyStore } from '../services/client-key-store';

/** A raw P-256 public key is 65 bytes (88 base64 characters); anything far longer is not one. */
const MAX_PUBLIC_KEY_LENGTH = 256;

/**
 * Default `HANDSHAKE_HANDLER`: reads the client's ECDH P-256 `publicKey` (raw, base64) from the
 * authenticate payload, answers with a fresh server key pair for this connection and a random
 * 32-byte salt, and keeps the HKDF-SHA-256-derived AES-256-GCM key in the component's
 * `ClientKeyStore` while the client is connected. No or malformed key: close 4004.
 */
export class EcdhHandshakeProvider extends BaseProvider<TWebSocketHandshakeFn> {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private readonly keys: ClientKeyStore) {
    super({ scope: EcdhHandshakeProvider.name });
  }

  value(container: Container): TWebSocketHandshakeFn {
    return async ({ clientId, data }) => {
      const peerPublicKey = data.publicKey;
      if (typeof peerPublicKey !== 'string' || peerPublicKey.length === 0) return null;
      if (peerPublicKey.length > MAX_PUBLIC_KEY_LENGTH) return null;
      const { keyPair, publicKey } = await generateEcdhKeyPair();
      const salt = generateSalt();
      let key: CryptoKey;
      try {
        key = await deriveAesKey({ privateKey: keyPair.privateKey, peerPublicKey, salt });
      } catch {
        return null;
      }
      // A client that left while we derived has already been cleaned up: keep nothing for it.
      if (!findWebSocketHelper(container)?.getClients({ id: clientId })) return null;
      this.keys.set(clientId, key);
      return { serverPublicKey: publicKey, salt };
    };
  }
}
