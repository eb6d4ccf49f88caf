import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketClientStates, WebSocketCloseCodes, WebSocketDefaults, WebSocketErrorCodes, type AnyObject, type TWebSocketErrorCode } from '../protocol/index.js';
import type { ClientSessions } from './client-session.js';
import type { ClientMessenger } from './messenger.js';
import type { TResolvedServerOptions } from './options.js';
import type { IWebSocketClient } from './types.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry } from './client-registry.js';

/**
 * Post-connection authentication: UNAUTHORIZED -> AUTHENTICATING -> AUTHENTICATED.
 * Two timers close with 4001: `authTimeout` to send `authenticate`, then `authTimeout * 3` for
 * `authenticateFn` (and `handshakeFn`) to finish. After every await the flow checks the client
 * is still the same live record, so a client that leaves mid-auth leaves no trace.
 */
export class AuthFlow<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly opts: Pick<TResolvedServerOptions<AuthDataType, MetadataType>, 'authenticateFn' | 'handshakeFn' | 'requireEncryption' | 'authTimeout'>,
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly sessions: ClientSessions<AuthDataType, MetadataType>,
    private readonly messenger: ClientMessenger<MetadataType>,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /** Starts the first timer; called when the socket opens. */
  start(client: IWebSocketClient<MetadataType>): void {
    this.arm(client, this.opts.authTimeout);
  }

  async authenticate(client: IWebSocketClient<MetadataType>, data: unknown, id?: string): Promise<void> {
    if (client.state === WebSocketClientStates.AUTHENTICATED) {
      this.messenger.error(client, WebSocketErrorCodes.ALREADY_AUTHENTICATED, 'Already authenticated', id);
      return;
    }
    if (client.state !== WebSocketClientStates.UNAUTHORIZED) {
      this.messenger.error(client, WebSocketErrorCodes.AUTH_IN_PROGRESS, 'Authentication already in progress', id);
      return;
    }
    client.state = WebSocketClientStates.AUTHENTICATING;
    this.arm(client, this.opts.authTimeout * 3);

    const payload = (data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {}) as AuthDataType;
    let result: Awaited<ReturnType<typeof this.opts.authenticateFn>>;
    try {
      result = await this.opts.authenticateFn(payload);
    } catch (error) {
      this.logs.warn('authenticate-threw', `authenticateFn threw (client ${client.id}); treated as a rejection: ${(error as Error)?.message ?? error}`);
      result = null;
    }
    if (!this.isPending(client)) return;
    if (!result) {
      this.reject(client, WebSocketErrorCodes.AUTH_FAILED, 'Authentication failed', WebSocketCloseCodes.AUTH_FAILED);
      return;
    }

    if (this.opts.requireEncryption && !(await this.handshake(client, result.userId, payload))) return;

    // Listen on the client's channels everywhere before admitting it: once `connected` is sent,
    // a message from any node reaches it. Hold and release net out in one tick, costing nothing.
    const userId = result.userId;
    const release = this.registry.holdInterest(() => this.sessions.channelsOf(client.id, userId));
    await this.registry.interestSettled(WebSocketDefaults.INTEREST_SETTLE_WAIT);
    if (!this.isPending(client)) {
      release();
      return;
    }
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.metadata = result.metadata;
    if (client.serverPublicKey !== undefined) this.registry.markEncrypted(client);
    this.registry.admit(client, result.userId);
    this.sessions.onAdmitted(client);
    release();
  }

  /** Runs `handshakeFn`; false when the client was rejected (4004) or has gone. */
  private async handshake(client: IWebSocketClient<MetadataType>, userId: string | undefined, data: AuthDataType) {
    const handshakeFn = this.opts.handshakeFn;
    if (!handshakeFn) {
      this.logs.error('no-handshake', 'requireEncryption is on but no handshakeFn is configured; every client is closed with 4004');
      this.reject(client, WebSocketErrorCodes.ENCRYPTION_REQUIRED, 'Encryption required', WebSocketCloseCodes.ENCRYPTION_REQUIRED);
      return false;
    }
    let keys: Awaited<ReturnType<typeof handshakeFn>> = null;
    try {
      keys = await handshakeFn({ clientId: client.id, userId, data });
    } catch (error) {
      this.logs.warn('handshake-threw', `handshakeFn threw (client ${client.id}); closing with 4004: ${(error as Error)?.message ?? error}`);
    }
    if (!this.isPending(client)) return false;
    if (!keys) {
      this.reject(client, WebSocketErrorCodes.ENCRYPTION_REQUIRED, 'Encryption handshake failed', WebSocketCloseCodes.ENCRYPTION_REQUIRED);
      return false;
    }
    client.serverPublicKey = keys.serverPublicKey;
    client.salt = keys.salt;
    return true;
  }

  private isPending(client: IWebSocketClient<MetadataType>): boolean {
    return this.registry.clients.get(client.id) === client && client.state === WebSocketClientStates.AUTHENTICATING;
  }

  private reject(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, closeCode: number) {
    this.messenger.error(client, code, message);
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.state = WebSocketClientStates.DISCONNECTED;
    client.socket.close(closeCode, message);
  }

  private arm(client: IWebSocketClient<MetadataType>, ms: number): void {
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = setTimeout(() => {
      client.authTimer = undefined;
      if (this.registry.clients.get(client.id) !== client) return;
      if (client.state === WebSocketClientStates.AUTHENTICATED) return;
      client.state = WebSocketClientStates.DISCONNECTED;
      client.socket.close(WebSocketCloseCodes.AUTH_TIMEOUT, 'Authentication timeout');
    }, ms);
  }
}
