import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketClientStates, WebSocketCloseCodes, WebSocketDefaults, WebSocketErrorCodes, type AnyObject, type TWebSocketErrorCode } from '../protocol/index.js';
import type { ClientSessions } from './client-session.js';
import type { ClientMessenger } from './messenger.js';
import type { TResolvedServerOptions } from './options.js';
import type { IWebSocketClient } from './types.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry, IClientRecord } from './client-registry.js';
import type { ServerTelemetry } from './telemetry.js';

/**
 * The user id an `authenticateFn` returned: a non-empty string, or a finite number as a string;
 * `undefined` when it gave none; `null` when it is unusable (an object, a boolean, `''`…), which
 * would otherwise merge different principals into one user.
 */
const readUserId = (value: unknown): string | undefined | null => {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
};

/**
 * Post-connection authentication: UNAUTHORIZED -> AUTHENTICATING -> AUTHENTICATED.
 * Two deadlines close with 4001: `authTimeout` to send `authenticate`, then `authTimeout * 3`
 * from then for `authenticateFn` (and `handshakeFn`) to finish. One timer per connection serves
 * both: armed at open, it re-arms itself for the rest of the second deadline if it fires while
 * the client is authenticating (rare: clients normally finish well inside the first one).
 * After every await the flow checks the client
 * is still the same live record, so a client that leaves mid-auth leaves no trace. Every
 * failure is logged (`auth-failed`, throttled) with its reason and close code, never the credentials.
 */
export class AuthFlow<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly opts: Pick<TResolvedServerOptions<AuthDataType, MetadataType>, 'authenticateFn' | 'handshakeFn' | 'requireEncryption' | 'authTimeout' | 'logFormat'>,
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly sessions: ClientSessions<AuthDataType, MetadataType>,
    private readonly messenger: ClientMessenger<MetadataType>,
    logger: Logger,
    private readonly telemetry: ServerTelemetry,
  ) {
    this.logs = new LogThrottle(logger, { format: opts.logFormat });
  }

  /** Arms the auth timer; called when the socket opens. */
  start(client: IClientRecord<MetadataType>): void {
    this.arm(client, this.opts.authTimeout);
  }

  async authenticate(client: IClientRecord<MetadataType>, data: unknown, id?: string): Promise<void> {
    if (client.state === WebSocketClientStates.AUTHENTICATED) {
      this.messenger.error(client, WebSocketErrorCodes.ALREADY_AUTHENTICATED, 'Already authenticated', id);
      return;
    }
    if (client.state !== WebSocketClientStates.UNAUTHORIZED) {
      this.messenger.error(client, WebSocketErrorCodes.AUTH_IN_PROGRESS, 'Authentication already in progress', id);
      return;
    }
    client.state = WebSocketClientStates.AUTHENTICATING;
    client.authStartedAt = performance.now();

    const payload = (data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {}) as AuthDataType;
    let result: Awaited<ReturnType<typeof this.opts.authenticateFn>>;
    let threw = false;
    try {
      result = await this.opts.authenticateFn(payload);
    } catch (error) {
      this.logs.warn('authenticate-threw', `authenticateFn threw (client ${client.id}); treated as a rejection: ${(error as Error)?.message ?? error}`);
      threw = true;
      result = null;
    }
    if (!this.isPending(client)) return;
    const userId = result ? readUserId(result.userId) : undefined;
    if (!result || userId === null) {
      const why = threw ? 'authenticateFn threw' : result ? 'authenticateFn returned an unusable userId' : 'authenticateFn rejected the credentials';
      this.telemetry.authRefused(client.authStartedAt, threw ? 'error' : 'rejected');
      this.reject(client, WebSocketErrorCodes.AUTH_FAILED, 'Authentication failed', WebSocketCloseCodes.AUTH_FAILED, why);
      return;
    }

    if (this.opts.requireEncryption && !(await this.handshake(client, userId, payload))) return;

    // Listen on the client's channels everywhere before admitting it: once `connected` is sent,
    // a message from any node reaches it. Hold and release net out in one tick, costing nothing.
    const release = this.registry.holdInterest(() => this.sessions.channelsOf(client.id, userId));
    // Awaited only when something is pending: an await costs a promise and a turn even when settled.
    if (!this.registry.isInterestSettled()) {
      await this.registry.interestSettled(WebSocketDefaults.INTEREST_SETTLE_WAIT);
      if (!this.isPending(client)) {
        release();
        return;
      }
    }
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.metadata = result.metadata;
    if (client.serverPublicKey !== undefined) this.registry.markEncrypted(client);
    this.registry.admit(client, userId);
    this.sessions.onAdmitted(client);
    this.telemetry.authAdmitted(client.authStartedAt);
    release();
  }

  /** Runs `handshakeFn`; false when the client was rejected (4004) or has gone. */
  private async handshake(client: IClientRecord<MetadataType>, userId: string | undefined, data: AuthDataType) {
    const handshakeFn = this.opts.handshakeFn;
    if (!handshakeFn) {
      this.logs.error('no-handshake', 'requireEncryption is on but no handshakeFn is configured; every client is closed with 4004');
      this.telemetry.authRefused(client.authStartedAt, 'encryption');
      this.reject(client, WebSocketErrorCodes.ENCRYPTION_REQUIRED, 'Encryption required', WebSocketCloseCodes.ENCRYPTION_REQUIRED, 'no handshakeFn');
      return false;
    }
    let keys: Awaited<ReturnType<typeof handshakeFn>> = null;
    let why = 'handshakeFn refused the client';
    try {
      keys = await handshakeFn({ clientId: client.id, userId, data });
    } catch (error) {
      this.logs.warn('handshake-threw', `handshakeFn threw (client ${client.id}); closing with 4004: ${(error as Error)?.message ?? error}`);
      why = 'handshakeFn threw';
    }
    if (!this.isPending(client)) return false;
    if (!keys) {
      this.telemetry.authRefused(client.authStartedAt, 'encryption');
      this.reject(client, WebSocketErrorCodes.ENCRYPTION_REQUIRED, 'Encryption handshake failed', WebSocketCloseCodes.ENCRYPTION_REQUIRED, why);
      return false;
    }
    client.serverPublicKey = keys.serverPublicKey;
    client.salt = keys.salt;
    return true;
  }

  private isPending(client: IWebSocketClient<MetadataType>): boolean {
    return this.registry.clients.get(client.id) === client && client.state === WebSocketClientStates.AUTHENTICATING;
  }

  private reject(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, closeCode: number, reason: string) {
    this.logFailure(client, reason, closeCode, code);
    this.messenger.error(client, code, message);
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.state = WebSocketClientStates.DISCONNECTED;
    client.socket.close(closeCode, message);
  }

  /** One `auth-failed` line: who, why and the close code; the credentials are never part of it. */
  private logFailure(client: IWebSocketClient<MetadataType>, reason: string, closeCode: number, errorCode?: string): void {
    this.logs.event('info', 'auth-failed', 'authentication failed', { clientId: client.id, ip: client.socket.data.ip, reason, code: closeCode, errorCode });
  }

  /** One timer per connection: the first deadline from open, then (re-armed) the rest of the second from `authenticate`. */
  private arm(client: IClientRecord<MetadataType>, ms: number): void {
    client.authTimer = setTimeout(() => {
      client.authTimer = undefined;
      if (this.registry.clients.get(client.id) !== client) return;
      if (client.state === WebSocketClientStates.AUTHENTICATED) return;
      if (client.state === WebSocketClientStates.AUTHENTICATING) {
        const left = client.authStartedAt + this.opts.authTimeout * 3 - performance.now();
        if (left >= 1) return this.arm(client, left);
      }
      const reason =
        client.state === WebSocketClientStates.UNAUTHORIZED
          ? `no authenticate within authTimeout (${this.opts.authTimeout} ms)`
          : `authentication not finished within authTimeout * 3 (${this.opts.authTimeout * 3} ms)`;
      this.logFailure(client, reason, WebSocketCloseCodes.AUTH_TIMEOUT);
      this.telemetry.authRefused(client.authStartedAt, 'timeout');
      client.state = WebSocketClientStates.DISCONNECTED;
      client.socket.close(WebSocketCloseCodes.AUTH_TIMEOUT, 'Authentication timeout');
    }, ms);
  }
}
