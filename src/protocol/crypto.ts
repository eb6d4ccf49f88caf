/**
 * ECDH P-256 + HKDF-SHA-256 + AES-256-GCM with WebCrypto only, so the same code runs in
 * browsers, Bun and Node. Server providers and the client library both use it; keeping one
 * implementation means both ends derive the same key by construction.
 *
 * Wire format of an encrypted message: `{ event: 'encrypted', data: { iv, ciphertext, seq } }`,
 * `iv` and `ciphertext` in base64, where the plaintext is the JSON of `{ event, data, id? }`.
 * An `AesGcmSession` numbers the frames of each direction (`seq`, from 1) and binds the number
 * and the direction into the tag as additional authenticated data, so a replayed, reordered or
 * reflected frame is refused by the receiving end. Docs: wiki/encryption.md
 */

/** Payload of an `encrypted` event. */
export interface IEncryptedPayload {
  /** 12-byte AES-GCM nonce, base64; fresh for every message. */
  iv: string;
  /** AES-GCM ciphertext with its tag, base64. */
  ciphertext: string;
  /** Message counter of its direction (1, 2, ...), authenticated with the ciphertext; set by `AesGcmSession`. */
  seq?: number;
}

/** The two directions of a session; each is authenticated into its frames so one cannot be passed off as the other. */
export class AesGcmDirections {
  static readonly SERVER_TO_CLIENT = 'server-to-client';
  static readonly CLIENT_TO_SERVER = 'client-to-server';
}
/** One of the two directions. */
export type TAesGcmDirection = (typeof AesGcmDirections)[Exclude<keyof typeof AesGcmDirections, 'prototype'>];

/** Which end of the connection a session belongs to: it seals its own direction and opens the other. */
export type TAesGcmSessionRole = 'server' | 'client';

/** Why `AesGcmSession.open()` refused a payload. */
export type TAesGcmRefusal = 'malformed' | 'undecryptable' | 'replayed';

/** Outcome of `AesGcmSession.open()`. */
export type TAesGcmOpenResult = { ok: true; plaintext: string; seq: number } | { ok: false; reason: TAesGcmRefusal };

const ECDH_PARAMS: EcKeyGenParams = { name: 'ECDH', namedCurve: 'P-256' };
const HKDF_INFO = new TextEncoder().encode('ignis-websocket/aes-256-gcm');
const AAD_PREFIX = 'ignis-websocket/v1';
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

/** Additional authenticated data of one frame: protocol, direction and counter. */
const aadOf = (direction: TAesGcmDirection, seq: number): Uint8Array<ArrayBuffer> => encoder.encode(`${AAD_PREFIX} ${direction} ${seq}`);

const seal = async (key: CryptoKey, plaintext: string, aad?: Uint8Array<ArrayBuffer>): Promise<IEncryptedPayload> => {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const params: AesGcmParams = aad ? { name: 'AES-GCM', iv, additionalData: aad } : { name: 'AES-GCM', iv };
  const ct = await crypto.subtle.encrypt(params, key, encoder.encode(plaintext));
  return { iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ct)) };
};

const unseal = async (key: CryptoKey, payload: IEncryptedPayload, aad?: Uint8Array<ArrayBuffer>): Promise<string> => {
  const iv = fromBase64(payload.iv);
  const params: AesGcmParams = aad ? { name: 'AES-GCM', iv, additionalData: aad } : { name: 'AES-GCM', iv };
  return decoder.decode(await crypto.subtle.decrypt(params, key, fromBase64(payload.ciphertext)));
};

/**
 * Encrypts a UTF-8 string with a fresh 12-byte IV and no counter: a single message, with no
 * protection against replay. Sessions use `AesGcmSession`, which the shipped providers and the
 * client library speak.
 */
export const encryptText = (key: CryptoKey, plaintext: string): Promise<IEncryptedPayload> => seal(key, plaintext);

/** Decrypts what `encryptText` made; throws if the key is wrong or the payload was tampered with. */
export const decryptText = (key: CryptoKey, payload: IEncryptedPayload): Promise<string> => unseal(key, payload);

const isSealedPayload = (payload: unknown): payload is Required<IEncryptedPayload> => {
  if (!payload || typeof payload !== 'object') return false;
  const { iv, ciphertext, seq } = payload as Record<string, unknown>;
  return typeof iv === 'string' && typeof ciphertext === 'string' && Number.isSafeInteger(seq) && (seq as number) > 0;
};

/**
 * One connection's AES-256-GCM key and its two message counters, at one end of the connection.
 * `seal()` numbers outgoing frames 1, 2, 3... in the order it is called (the number is taken
 * synchronously, before any await) and authenticates direction and number with the ciphertext;
 * `open()` accepts an incoming frame only if it authenticates under its own number and that
 * number is above the last one accepted. So a frame delivered twice, a frame delivered after a
 * later one, and a frame sent back in the other direction are all refused, while frames the
 * sender never delivered (a gap) do not block the ones after them. A new connection means a new
 * key and new counters. Docs: wiki/encryption.md
 *
 * @example
 * const session = new AesGcmSession(await deriveAesKey({ privateKey, peerPublicKey, salt }), 'server');
 * socket.send(JSON.stringify({ event: 'encrypted', data: await session.seal(JSON.stringify({ event, data })) }));
 * const opened = await session.open(frame.data); // { ok: true, plaintext } or { ok: false, reason: 'replayed' }
 */
export class AesGcmSession {
  private sent = 0;
  private received = 0;
  private readonly sealAs: TAesGcmDirection;
  private readonly openAs: TAesGcmDirection;

  constructor(
    readonly key: CryptoKey,
    role: TAesGcmSessionRole,
  ) {
    const { SERVER_TO_CLIENT, CLIENT_TO_SERVER } = AesGcmDirections;
    this.sealAs = role === 'server' ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    this.openAs = role === 'server' ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
  }

  /** Frames sealed so far (the last `seq` used). */
  get sentCount(): number {
    return this.sent;
  }

  /** Highest `seq` accepted by `open()` so far. */
  get lastReceived(): number {
    return this.received;
  }

  /** Encrypts one frame under the next counter of this end's direction. */
  seal(plaintext: string): Promise<Required<IEncryptedPayload>> {
    const seq = ++this.sent;
    return seal(this.key, plaintext, aadOf(this.sealAs, seq)).then(payload => ({ ...payload, seq }));
  }

  /** Decrypts one frame of the peer's direction; never throws. */
  async open(payload: unknown): Promise<TAesGcmOpenResult> {
    if (!isSealedPayload(payload)) return { ok: false, reason: 'malformed' };
    const { seq } = payload;
    if (seq <= this.received) return { ok: false, reason: 'replayed' };
    let plaintext: string;
    try {
      plaintext = await unseal(this.key, payload, aadOf(this.openAs, seq));
    } catch {
      return { ok: false, reason: 'undecryptable' };
    }
    // Checked again: another open() may have accepted a later frame while this one decrypted.
    if (seq <= this.received) return { ok: false, reason: 'replayed' };
    this.received = seq;
    return { ok: true, plaintext, seq };
  }
}
