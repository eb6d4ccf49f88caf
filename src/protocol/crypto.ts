/**
 * ECDH P-256 + HKDF-SHA-256 + AES-256-GCM with WebCrypto only, so the same code runs in
 * browsers, Bun and Node. Server providers and the client library both use it; keeping one
 * implementation means both ends derive the same key by construction.
 *
 * Wire format of an encrypted message: `{ event: 'encrypted', data: { iv, ciphertext } }`,
 * both base64, where the plaintext is the JSON of `{ event, data }`.
 */

/** Payload of an `encrypted` event. */
export interface IEncryptedPayload {
  /** 12-byte AES-GCM nonce, base64; fresh for every message. */
  iv: string;
  /** AES-GCM ciphertext with its tag, base64. */
  ciphertext: string;
}

const ECDH_PARAMS: EcKeyGenParams = { name: 'ECDH', namedCurve: 'P-256' };
const HKDF_INFO = new TextEncoder().encode('ignis-websocket/aes-256-gcm');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Base64 of bytes, without Node's Buffer so it works in browsers. */
export const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
};

/** Bytes of a base64 string; throws on malformed input. */
export const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
};

/** A fresh ECDH P-256 key pair and its raw public key in base64. */
export const generateEcdhKeyPair = async (): Promise<{ keyPair: CryptoKeyPair; publicKey: string }> => {
  const keyPair = (await crypto.subtle.generateKey(ECDH_PARAMS, false, ['deriveBits'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keyPair.publicKey));
  return { keyPair, publicKey: toBase64(raw) };
};

/** Random HKDF salt (32 bytes), base64. */
export const generateSalt = (): string => toBase64(crypto.getRandomValues(new Uint8Array(32)));

/** Derives the shared AES-256-GCM key from our private key, the peer's raw public key and a salt. */
export const deriveAesKey = async (opts: {
  privateKey: CryptoKey;
  peerPublicKey: string;
  salt: string;
}): Promise<CryptoKey> => {
  const peer = await crypto.subtle.importKey('raw', fromBase64(opts.peerPublicKey), ECDH_PARAMS, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, opts.privateKey, 256);
  const hkdfKey = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: fromBase64(opts.salt), info: HKDF_INFO },
    hkdfKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
};

/** Encrypts a UTF-8 string with a fresh 12-byte IV. */
export const encryptText = async (key: CryptoKey, plaintext: string): Promise<IEncryptedPayload> => {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(plaintext));
  return { iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ct)) };
};

/** Decrypts an `IEncryptedPayload`; throws if the key is wrong or the payload was tampered with. */
export const decryptText = async (key: CryptoKey, payload: IEncryptedPayload): Promise<string> => {
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(payload.iv) },
    key,
    fromBase64(payload.ciphertext),
  );
  return decoder.decode(pt);
};
