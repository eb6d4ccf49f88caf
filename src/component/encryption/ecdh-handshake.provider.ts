import { BaseProvider, inject } from '@venizia/ignis';
import { deriveAesKey, generateEcdhKeyPair, generateSalt } from '../../protocol/index.js';
import type { TWebSocketHandshakeFn } from '../../server/types.js';
import { WebSocketBindingKeys } from '../keys.js';
import type { ClientKeyStore } from './client-key-store.js';

/** A raw P-256 public key is 65 bytes (88 base64 characters); anything far longer is not one. */
const MAX_PUBLIC_KEY_LENGTH = 256;

/** What one key agreement produces: the client's AES key and what the client needs to derive it too. */
export interface IEcdhAgreement {
  key: CryptoKey;
  serverPublicKey: string;
  salt: string;
}

/**
 * Default `HANDSHAKE_HANDLER`: reads the client's ECDH P-256 `publicKey` (raw, base64) from the
 * authenticate payload, answers with a fresh server key pair for this connection and a random
 * 32-byte salt, and keeps the HKDF-SHA-256-derived AES-256-GCM key in the component's
 * `ClientKeyStore` while the client is connected. No or malformed key: close 4004.
 * It never looks for the running helper: the key store's reservation tells whether the client
 * is still there when the key is ready.
 */
export class EcdhHandshakeProvider extends BaseProvider<TWebSocketHandshakeFn> {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private readonly keys: ClientKeyStore) {
    super({ scope: EcdhHandshakeProvider.name });
  }

  value(): TWebSocketHandshakeFn {
    return async ({ clientId, data }) => {
      const peerPublicKey = data.publicKey;
      if (typeof peerPublicKey !== 'string' || peerPublicKey.length === 0) return null;
      if (peerPublicKey.length > MAX_PUBLIC_KEY_LENGTH) return null;
      // Claimed before the first await: if the connection ends while the key is derived, its
      // clean-up drops the claim and the commit keeps nothing.
      const reservation = this.keys.reserve(clientId);
      try {
        const agreed = await this.agree(peerPublicKey);
        if (!agreed || !this.keys.commit(reservation, agreed.key)) return null;
        return { serverPublicKey: agreed.serverPublicKey, salt: agreed.salt };
      } finally {
        this.keys.release(reservation);
      }
    };
  }

  /** ECDH with a fresh server key pair, then HKDF over a random salt; null when the peer key is not a P-256 key. */
  protected async agree(peerPublicKey: string): Promise<IEcdhAgreement | null> {
    const { keyPair, publicKey } = await generateEcdhKeyPair();
    const salt = generateSalt();
    try {
      const key = await deriveAesKey({ privateKey: keyPair.privateKey, peerPublicKey, salt });
      return { key, serverPublicKey: publicKey, salt };
    } catch {
      return null;
    }
  }
}
