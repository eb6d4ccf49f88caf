import type { Logger } from '@venizia/ignis-helpers';
import {
  WebSocketChannels,
  WebSocketEvents,
  type AnyObject,
  type IWebSocket,
  type IWebSocketClient,
  type IWebSocketServerOptions,
  type TWebSocketErrorCode,
} from '../common';
import { LogThrottle } from '../common/log-throttle';
import type { ClientRegistry } from './client-registry';
import type { Delivery } from './delivery';
import type { ConnectionCap, InboundRateLimiter } from './rate-limiter';

/**
 * What happens to one connection around the protocol: the system messages it is sent (in the
 * clear until `connected`, through the transformer after that for encrypted clients), its
 * admission (default rooms, `connected`, `clientConnectedFn`) and its end (every index and
 * limiter entry dropped, disconnect callbacks run, their errors logged, never thrown).
 */
export class ClientSessions<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly opts: IWebSocketServerOptions<AuthDataType, MetadataType>,
    private readonly defaultRooms: string[],
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly delivery: Delivery<MetadataType>,
    private readonly limits: { limiter: InboundRateLimiter; connectionCap: ConnectionCap },
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /** Broker channels an admitted client makes this node listen on: its id, its user, the default rooms. */
  channelsOf(clientId: string, userId: string | undefined): string[] {
    const channels = [WebSocketChannels.forClient({ clientId })];
    if (userId !== undefined) channels.push(WebSocketChannels.forUser({ userId }));
    for (const room of this.defaultRooms) channels.push(WebSocketChannels.forRoom({ room }));
    return channels;
  }

  /** Joins the default rooms, sends `connected` and runs `clientConnectedFn`. */
  onAdmitted(client: IWebSocketClient<MetadataType>): void {
    for (const room of this.defaultRooms) this.registry.join(client, room);
    const connected: AnyObject = { id: client.id, userId: client.userId, time: new Date().toISOString() };
    if (client.serverPublicKey !== undefined) {
      connected.serverPublicKey = client.serverPublicKey;
      connected.salt = client.salt;
    }
    // In the clear even when encrypted: the client needs serverPublicKey and salt to derive its key.
    this.sendSystem(client, WebSocketEvents.CONNECTED, connected);
    void this.callback('clientConnectedFn', () =>
      this.opts.clientConnectedFn?.({ clientId: client.id, userId: client.userId, metadata: client.metadata }),
    );
  }

  /** Removes a client and runs the disconnect callbacks; safe to call twice. */
  async end(socket: IWebSocket): Promise<void> {
    const { clientId, ip } = socket.data;
    const removed = this.registry.remove(clientId);
    if (!removed) return;
    this.limits.limiter.forget(clientId);
    this.limits.connectionCap.release(ip);
    const who = { clientId, userId: removed.client.userId };
    if (removed.wasAdmitted) await this.callback('clientDisconnectedFn', () => this.opts.clientDisconnectedFn?.(who));
    await this.callback('clientRemovedFn', () => this.opts.clientRemovedFn?.(who));
  }

  /**
   * System messages (connected, joined, left, error, replies). Before and including `connected`
   * they go in the clear; after it an encrypted client gets them through the transformer.
   */
  sendSystem(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): void {
    if (client.socket.readyState !== 1) return;
    if (!client.encrypted || event === WebSocketEvents.CONNECTED) {
      this.delivery.sendFrame(client, JSON.stringify(id === undefined ? { event, data } : { event, data, id }));
    } else {
      this.delivery.toClient(client, event, data, id);
    }
  }

  /** An `error` event `{ message, code, id?, ...extra }` carrying the request id. */
  sendError(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string, extra?: AnyObject) {
    const data: AnyObject = { message, code, ...extra };
    if (id !== undefined) data.id = id;
    this.sendSystem(client, WebSocketEvents.ERROR, data, id);
  }

  private async callback(name: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logs.error(name, `${name} threw:`, error);
    }
  }
}
