/**
 * Per-client AES-GCM for the encrypted fan-out measure: ECDH P-256 key agreement, HKDF-SHA-256
 * to an AES-256-GCM key, a fresh 12-byte IV per message. Server targets keep one key per client;
 * load generators only need a public key to send (they count frames, they do not decrypt).
 */

const ECDH: EcKeyGenParams = { name: 'ECDH', namedCurve: 'P-256' };
const INFO = new TextEncoder().encode('ignis-websocket-bench');
const encoder = new TextEncoder();

const b64 = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes as Uint8Array).toString('base64');

/** A fresh ECDH key pair's raw public key, base64 (what a client puts in `authenticate`). */
export const createClientPublicKey = async (): Promise<string> => {
  const pair = (await crypto.subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
  return b64(await crypto.subtle.exportKey('raw', pair.publicKey));
};

/** Encrypted frame data as it goes on the wire. */
export interface ISealed {
  iv: string;
  ciphertext: string;
}

/** Server side: one ECDH key pair, one AES key per client id. */
export class EncryptionSessions {
  private pair?: CryptoKeyPair;
  private publicKey = '';
  private readonly keys = new Map<string, CryptoKey>();

  /** Creates the server key pair; call once before `handshake`. */
  async init(): Promise<this> {
    this.pair = (await crypto.subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
    this.publicKey = b64(await crypto.subtle.exportKey('raw', this.pair.publicKey));
    return this;
  }

  /** Derives and stores the client's key; null when the client sent no usable public key. */
  async handshake(clientId: string, clientPublicKey: unknown): Promise<{ serverPublicKey: string; salt: string } | null> {
    if (!this.pair || typeof clientPublicKey !== 'string') return null;
    try {
      const peer = await crypto.subtle.importKey('raw', Buffer.from(clientPublicKey, 'base64'), ECDH, false, []);
      const bits = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, this.pair.privateKey, 256);
      const base = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
      const salt = crypto.getRandomValues(new Uint8Array(32));
      const key = await crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt, info: INFO },
        base,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt'],
      );
      this.keys.set(clientId, key);
      return { serverPublicKey: this.publicKey, salt: b64(salt) };
    } catch {
      return null;
    }
  }

  /** True when the client has a key. */
  has(clientId: string): boolean {
    return this.keys.has(clientId);
  }

  /** `{ event: 'encrypted', data: { iv, ciphertext } }` for one client, or null without a key. */
  async seal(clientId: string, event: string, data: unknown): Promise<{ event: string; data: ISealed } | null> {
    const key = this.keys.get(clientId);
    if (!key) return null;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = encoder.encode(JSON.stringify({ event, data }));
    const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain);
    return { event: 'encrypted', data: { iv: b64(iv), ciphertext: b64(cipher) } };
  }

  /** Drops a client's key. */
  forget(clientId: string): void {
    this.keys.delete(clientId);
  }
}
