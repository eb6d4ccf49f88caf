import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketChannels, WebSocketEvents, type AnyObject } from '../protocol/index.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry } from './client-registry.js';
import type { ClientMessenger } from './messenger.js';
import type { TResolvedServerOptions } from './options.js';
import type { IWebSocket, IWebSocketClient } from './types.js';
import type { UpgradeGate } from './upgrade-gate.js';

/** The callbacks a session runs around admission and the end of a connection. */
type TSessionCallbacks<A extends AnyObject, M extends AnyObject> = Pick<
  TResolvedServerOptions<A, M>,
  'defaultRooms' | 'clientConnectedFn' | 'clientDisconnectedFn' | 'clientRemovedFn' | 'logFormat'
>;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** How a connection ended: the close code and reason Bun reported (or 1001 on `shutdown()`). */
export interface ISessionEnd {
  code: number;
  reason: string;
}

/**
 * What happens to one connection around the protocol: its admission (default rooms,
 * `connected`, `clientConnectedFn`) and its end (every index and limiter entry dropped,
 * disconnect callbacks run, their errors logged, never thrown). Both are logged (`connect`,
 * `disconnect`) through the throttle, with the client id, user id, address and close code.
 */
export class ClientSessions<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly opts: TSessionCallbacks<AuthDataType, MetadataType>,
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly messenger: ClientMessenger<MetadataType>,
    private readonly gate: UpgradeGate,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger, { format: opts.logFormat });
  }

  /** Broker channels an admitted client makes this node listen on: its id, its user, the default rooms. */
  channelsOf(clientId: string, userId: string | undefined): string[] {
    const channels = [WebSocketChannels.forClient({ clientId })];
    if (userId !== undefined) channels.push(WebSocketChannels.forUser({ userId }));
    for (const room of this.opts.defaultRooms) channels.push(WebSocketChannels.forRoom({ room }));
    return channels;
  }

  /** Frees its unauthenticated slot, joins the default rooms, sends `connected` and runs `clientConnectedFn`. */
  onAdmitted(client: IWebSocketClient<MetadataType>): void {
    this.gate.authenticated(client.socket.data);
    for (const room of this.opts.defaultRooms) this.registry.join(client, room);
    const connected: AnyObject = { id: client.id, userId: client.userId, time: new Date().toISOString() };
    if (client.serverPublicKey !== undefined) {
      connected.serverPublicKey = client.serverPublicKey;
      connected.salt = client.salt;
    }
    this.messenger.system(client, WebSocketEvents.CONNECTED, connected);
    const authMs = Date.now() - client.connectedAt;
    this.logs.event('info', 'connect', 'client connected', () => ({
      clientId: client.id,
      userId: client.userId,
      ip: client.socket.data.ip,
      encrypted: client.serverPublicKey !== undefined,
      authMs,
    }));
    const connectedFn = this.opts.clientConnectedFn;
    if (connectedFn) void this.callback('clientConnectedFn', () => connectedFn({ clientId: client.id, userId: client.userId, metadata: client.metadata }));
  }

  /**
   * Removes a client and runs the disconnect callbacks; safe to call twice (the second call does
   * nothing). Returns a promise only while a callback is still running (most connections end
   * with no asynchronous work at all).
   */
  end(socket: IWebSocket, how: ISessionEnd): Promise<void> | undefined {
    const { clientId } = socket.data;
    const removed = this.registry.remove(clientId);
    if (!removed) return undefined;
    const durationMs = Date.now() - removed.client.connectedAt;
    this.logs.event('info', 'disconnect', 'client disconnected', () => ({
      clientId,
      userId: removed.client.userId,
      ip: socket.data.ip,
      code: how.code,
      reason: how.reason || undefined,
      authenticated: removed.wasAdmitted,
      durationMs,
    }));
    this.gate.left(socket.data);
    const { clientDisconnectedFn, clientRemovedFn } = this.opts;
    const who = { clientId, userId: removed.client.userId };
    const disconnected = removed.wasAdmitted && clientDisconnectedFn ? this.callback('clientDisconnectedFn', () => clientDisconnectedFn(who)) : undefined;
    if (!clientRemovedFn) return disconnected;
    // clientRemovedFn runs after clientDisconnectedFn has finished.
    if (!disconnected) return this.callback('clientRemovedFn', () => clientRemovedFn(who));
    return disconnected.then(() => this.callback('clientRemovedFn', () => clientRemovedFn(who)));
  }

  /**
   * Runs one of the app's callbacks; its error (thrown, or its promise's rejection) is logged,
   * never thrown. A promise only when the callback returned one.
   */
  private callback(name: string, run: () => unknown): Promise<void> | undefined {
    const failed = (error: unknown): void => this.logs.error(name, `${name} threw:`, error);
    try {
      const result = run();
      if (isThenable(result)) return Promise.resolve(result).then(() => undefined, failed);
    } catch (error) {
      failed(error);
    }
    return undefined;
  }
}
