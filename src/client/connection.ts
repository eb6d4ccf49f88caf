/**
 * One socket's life: open, authenticate, (optionally) derive the AES key from the server's
 * `connected`, then decode every frame in arrival order. Once the key exists only `encrypted`
 * frames count, each opened under the next server → client counter, and what the app sends is
 * sealed under the client → server one (heartbeats aside). Reconnecting, heartbeats and rooms are
 * the owner's business (`client.ts`); a connection never retries and reports its end once.
 */
import { WebSocketCloseCodes, WebSocketEvents, WebSocketReadyStates } from '../protocol/constants.js';
import { AesGcmSession, deriveAesKey, generateEcdhKeyPair } from '../protocol/crypto.js';
import type { AnyObject, IWebSocketMessage, ValueOrPromise } from '../protocol/types.js';
import { WebSocketClientDefaults, WebSocketClientErrorCodes } from './constants.js';
import { frameToText, parseServerMessage, readServerError, type TServerError } from './frame.js';
import type {
  IClientSocket,
  IWebSocketClientErrorEvent,
  IWebSocketClientIdentity,
  IWebSocketServerKeyInfo,
  TClientSocketConstructor,
} from './types.js';

/** Close code of a socket that ended without a close frame (network loss) or could not be built. */
const ABNORMAL_CLOSE = 1006;

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** How a connection ended. */
export interface IConnectionEnd {
  code: number;
  reason: string;
  /** Last server `error` before authentication finished; explains a 4001 / 4003 / 4004. */
  serverError?: TServerError;
  /**
   * The attempt failed on this side before any socket opened (the `auth` callback threw): the
   * owner retries it under the reconnect policy whatever the close code says.
   */
  retryable?: boolean;
}

/** What a connection reports to its owner. */
export interface IConnectionHooks {
  /** Authenticated, and with encryption the key is ready. */
  onReady(identity: IWebSocketClientIdentity): void;
  /** A decoded (and decrypted) server message after `onReady`, in arrival order. */
  onMessage(message: IWebSocketMessage): void;
  /** A dropped frame, or the `auth` callback failing (reported just before the end). */
  onError(error: IWebSocketClientErrorEvent): void;
  /** The end, reported once; never after `dispose()`. */
  onEnd(end: IConnectionEnd): void;
}

/** Options of one connection attempt. */
export interface IConnectionOptions {
  url: string;
  SocketImpl: TClientSocketConstructor;
  /** Produces the credentials; called once, before the socket opens. A throw ends the attempt as retryable. */
  auth: () => ValueOrPromise<AnyObject>;
  /** Generate a fresh ECDH key pair for this attempt and require an encrypted session. */
  encryption: boolean;
  /** Checks the server's key before it is used (pinning); absent: any key. */
  verifyServerKey?: (info: IWebSocketServerKeyInfo) => ValueOrPromise<boolean>;
  /** ms between heartbeats once authenticated. */
  heartbeatIntervalMs: number;
  hooks: IConnectionHooks;
}

/** A single WebSocket from open to close. */
export class ClientConnection {
  private socket: IClientSocket | null = null;
  private credentials: AnyObject = {};
  private ecdh?: { keyPair: CryptoKeyPair; publicKey: string };
  // Every frame and the close go through this chain, so async decryption cannot reorder them.
  private chain: Promise<void> = Promise.resolve();
  // Encrypted sends, sealed and written one after another so their counters reach the wire in order.
  private outbound: Promise<void> = Promise.resolve();
  // This connection's key and counters; a reconnect is a new connection, so a new key and counters from 1.
  private cipher: AesGcmSession | null = null;
  private ready = false;
  private ended = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private serverError?: TServerError;

  constructor(private readonly opts: IConnectionOptions) {}

  /** Gets the credentials (and keys), then opens the socket; every outcome arrives through the hooks. */
  async start(): Promise<void> {
    let step: 'auth' | 'keys' = 'auth';
    try {
      this.credentials = await this.opts.auth();
      step = 'keys';
      if (this.opts.encryption) this.ecdh = await generateEcdhKeyPair();
    } catch (cause) {
      if (this.ended) return;
      // The auth callback may fail for a moment (a token refresh that could not reach its
      // server): retried with backoff like a failed connection. No ECDH in this runtime is for
      // good, the same consequence as a server-side 4004: the owner stops.
      const [code, closeCode, what] =
        step === 'auth'
          ? [WebSocketClientErrorCodes.AUTH_CALLBACK_FAILED, WebSocketCloseCodes.AUTH_FAILED, 'The auth callback']
          : [WebSocketClientErrorCodes.ENCRYPTION_UNAVAILABLE, WebSocketCloseCodes.ENCRYPTION_REQUIRED, 'ECDH key generation'];
      const message = `${what} failed: ${describe(cause)}`;
      this.opts.hooks.onError({ source: 'client', code, message, cause });
      this.serverError = { message, code };
      return this.end({ code: closeCode, reason: message, retryable: step === 'auth' });
    }
    if (this.ended) return; // disposed while the credentials were awaited
    try {
      this.socket = new this.opts.SocketImpl(this.opts.url);
    } catch (error) {
      return this.end({ code: ABNORMAL_CLOSE, reason: describe(error) });
    }
    this.socket.onopen = () => this.authenticate();
    this.socket.onmessage = (ev: { data: unknown }) => this.enqueue(() => this.handleFrame(ev.data));
    this.socket.onclose = (ev: { code?: number; reason?: string }) =>
      this.enqueue(async () => this.end({ code: ev.code ?? ABNORMAL_CLOSE, reason: ev.reason ?? '' }));
    // An error is always followed by a close, which is where the end is reported.
    this.socket.onerror = () => undefined;
  }

  /** Sends one message if the socket is open and authenticated (sealed when encrypted); false otherwise. */
  send(message: IWebSocketMessage): boolean {
    if (!this.ready || this.ended) return false;
    const cipher = this.cipher;
    if (!cipher) return this.write(message);
    if (this.socket?.readyState !== WebSocketReadyStates.OPEN) return false;
    this.outbound = this.outbound
      .then(async () => {
        const data = await cipher.seal(JSON.stringify(message));
        if (!this.ended) this.write({ event: WebSocketEvents.ENCRYPTED, data });
      })
      .catch(cause =>
        this.opts.hooks.onError({ source: 'client', code: WebSocketClientErrorCodes.ENCRYPTION_UNAVAILABLE, message: 'Sealing a frame failed', cause }),
      );
    return true;
  }

  /** Closes from our side without reporting an end (the owner already knows). */
  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    this.detach('client closed');
  }

  private authenticate(): void {
    const data: AnyObject = { ...this.credentials };
    if (this.ecdh) data.publicKey = this.ecdh.publicKey;
    this.write({ event: WebSocketEvents.AUTHENTICATE, data });
  }

  private write(message: IWebSocketMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocketReadyStates.OPEN) return false;
    try {
      this.socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch(cause =>
      this.opts.hooks.onError({
        source: 'client',
        code: WebSocketClientErrorCodes.UNPARSEABLE_FRAME,
        message: 'Frame handling failed',
        cause,
      }),
    );
  }

  private dropFrame(code: string, message: string, cause?: unknown): void {
    this.opts.hooks.onError({ source: 'client', code, message, cause });
  }

  private async handleFrame(raw: unknown): Promise<void> {
    if (this.ended) return;
    const text = frameToText(raw);
    let message = text === null ? null : parseServerMessage(text);
    if (!message) return this.dropFrame(WebSocketClientErrorCodes.UNPARSEABLE_FRAME, 'Dropped an unparseable frame');
    if (message.event === WebSocketEvents.ENCRYPTED) {
      message = await this.decrypt(message.data);
      if (!message) return;
    } else if (this.cipher) {
      // Once the key exists a plaintext frame proves nothing: anyone on the path could have written it.
      const event = JSON.stringify(message.event.slice(0, 64));
      return this.dropFrame(WebSocketClientErrorCodes.PLAINTEXT_REFUSED, `Dropped a plaintext ${event} frame inside an encrypted session`);
    }
    if (this.ready) return this.opts.hooks.onMessage(message);
    await this.handleBeforeReady(message);
  }

  private async decrypt(data: unknown): Promise<IWebSocketMessage | null> {
    if (!this.cipher) {
      this.dropFrame(WebSocketClientErrorCodes.DECRYPT_FAILED, 'Dropped an encrypted frame: no key');
      return null;
    }
    const opened = await this.cipher.open(data);
    if (!opened.ok) {
      if (opened.reason === 'replayed') {
        this.dropFrame(WebSocketClientErrorCodes.REPLAYED_FRAME, 'Dropped an encrypted frame whose counter was already used (replayed or reordered)');
      } else {
        this.dropFrame(WebSocketClientErrorCodes.DECRYPT_FAILED, `Dropped an encrypted frame that did not decrypt (${opened.reason})`);
      }
      return null;
    }
    const inner = parseServerMessage(opened.plaintext);
    if (!inner || inner.event === WebSocketEvents.ENCRYPTED) {
      this.dropFrame(WebSocketClientErrorCodes.UNPARSEABLE_FRAME, 'Dropped an unparseable decrypted frame');
      return null;
    }
    return inner;
  }

  private async handleBeforeReady(message: IWebSocketMessage): Promise<void> {
    if (message.event === WebSocketEvents.ERROR) {
      const error = readServerError(message);
      this.serverError = error;
      return this.opts.hooks.onError({ source: 'server', ...error });
    }
    // Nothing but `connected` / `error` is meaningful before authentication finishes.
    if (message.event !== WebSocketEvents.CONNECTED) return;
    const data = (message.data ?? {}) as Record<string, unknown>;
    if (typeof data.id !== 'string') {
      return this.dropFrame(WebSocketClientErrorCodes.UNPARSEABLE_FRAME, 'Dropped a `connected` without an id');
    }
    if (this.ecdh && !(await this.deriveKey(data))) return;
    if (this.ended) return; // disposed while the key was derived
    this.ready = true;
    this.heartbeat = setInterval(() => this.write({ event: WebSocketEvents.HEARTBEAT }), this.opts.heartbeatIntervalMs);
    const identity: IWebSocketClientIdentity = { id: data.id };
    if (typeof data.userId === 'string') identity.userId = data.userId;
    this.opts.hooks.onReady(identity);
  }

  private async deriveKey(data: Record<string, unknown>): Promise<boolean> {
    const { serverPublicKey, salt } = data;
    let failure = 'the server offered no encryption key';
    if (typeof serverPublicKey === 'string' && typeof salt === 'string' && this.ecdh) {
      if (!(await this.serverKeyAccepted({ serverPublicKey, salt, clientPublicKey: this.ecdh.publicKey }))) {
        return this.refuseEncryption(WebSocketClientErrorCodes.SERVER_KEY_REJECTED, 'Server key rejected by verifyServerKey');
      }
      try {
        const privateKey = this.ecdh.keyPair.privateKey;
        this.cipher = new AesGcmSession(await deriveAesKey({ privateKey, peerPublicKey: serverPublicKey, salt }), 'client');
        return true;
      } catch {
        failure = 'the server key did not derive';
      }
    }
    // Plaintext would be a silent downgrade: stop, as the server does when a handshake fails.
    return this.refuseEncryption(WebSocketClientErrorCodes.ENCRYPTION_UNAVAILABLE, `Encryption unavailable: ${failure}`);
  }

  /** `verifyServerKey`'s verdict; no check configured accepts any key, a throw refuses. */
  private async serverKeyAccepted(info: IWebSocketServerKeyInfo): Promise<boolean> {
    if (!this.opts.verifyServerKey) return true;
    try {
      return (await this.opts.verifyServerKey(info)) === true;
    } catch {
      return false;
    }
  }

  /** Ends the attempt as a 4004 the owner does not retry; always false. */
  private refuseEncryption(code: string, message: string): false {
    this.serverError = { message, code };
    this.end({ code: WebSocketCloseCodes.ENCRYPTION_REQUIRED, reason: message });
    return false;
  }

  private end(opts: { code: number; reason: string; retryable?: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    this.detach(opts.reason);
    const end: IConnectionEnd = { code: opts.code, reason: opts.reason };
    if (this.serverError) end.serverError = this.serverError;
    if (opts.retryable) end.retryable = true;
    this.opts.hooks.onEnd(end);
  }

  private detach(reason: string): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const socket = this.socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (socket.readyState >= WebSocketReadyStates.CLOSING) return;
    try {
      // Browsers throw on reasons over 123 UTF-8 bytes: keep printable ASCII and cut.
      socket.close(WebSocketClientDefaults.NORMAL_CLOSE, reason.replace(/[^\x20-\x7e]/g, '').slice(0, 120));
    } catch {
      socket.close();
    }
  }
}
