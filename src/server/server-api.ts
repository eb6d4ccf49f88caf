import type { Logger } from '@venizia/ignis-helpers';
import { isClientIdShaped, type AnyObject } from '../protocol';
import type { ClientRegistry } from './client-registry';
import type { CrossInstancePublisher } from './cross-instance';
import type { Delivery } from './delivery';
import type { IWebSocketEventHelper } from './types';

/**
 * What app code calls to reach clients and move them between rooms, with plain string events.
 * The helper's typed methods and every typed event handler's `ctx.helper` are this one object,
 * so a send from a handler and a send from a service take the same path.
 */
export class ServerApi<MetadataType extends AnyObject> implements IWebSocketEventHelper {
  constructor(
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly delivery: Delivery<MetadataType>,
    private readonly publisher: CrossInstancePublisher,
    private readonly logger: Logger,
  ) {}

  /** Local: one authenticated client on this node. */
  sendToClient(opts: { clientId: string; event: string; data: unknown; doLog?: boolean }): void {
    const client = this.registry.getAuthenticated(opts.clientId);
    if (!client) return;
    this.delivery.toClient(client, opts.event, opts.data);
    if (opts.doLog) this.logger.info(`sent '${opts.event}' to client ${opts.clientId}`);
  }

  /** Local: every session of a user on this node. */
  sendToUser(opts: { userId: string; event: string; data: unknown }): void {
    this.delivery.toUser(opts.userId, opts.event, opts.data);
  }

  /** Local: a room on this node; a local client's id reaches that client (its own-id room). */
  sendToRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): void {
    const own = this.registry.ownRoomMember(opts.room);
    if (own) {
      if (!opts.exclude?.includes(own.id)) this.delivery.toClient(own, opts.event, opts.data);
      return;
    }
    this.delivery.toRoom(opts.room, opts.event, opts.data, opts.exclude);
  }

  /** Local: every authenticated client on this node. */
  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): void {
    this.delivery.toAll(opts.event, opts.data, opts.exclude);
  }

  /**
   * Delivers locally and publishes for the other nodes. No destination: everyone. A local
   * client id: that client only (ids are unique, nothing to publish). Otherwise a room, plus
   * the client channel when the name has the shape of a client id on another node.
   */
  send(opts: { destination?: string; payload: { topic: string; data: unknown }; doLog?: boolean; cb?: () => void }): void {
    const { destination, payload, doLog, cb } = opts;
    const { topic: event, data } = payload;
    const local = destination === undefined ? undefined : this.registry.getAuthenticated(destination);
    if (destination === undefined) {
      this.delivery.toAll(event, data);
      this.publisher.broadcast(event, data);
    } else if (local) {
      this.delivery.toClient(local, event, data);
    } else {
      this.delivery.toRoom(destination, event, data);
      this.publisher.roomOrRemoteClient(destination, event, data);
    }
    if (doLog) this.logger.info(`send '${event}' to ${destination ?? 'everyone'}`);
    if (cb) setTimeout(cb, 0);
  }

  /** Joins an authenticated client to a room; another client's own-id room is refused. */
  joinRoom(opts: { clientId: string; room: string }): void {
    const client = this.registry.getAuthenticated(opts.clientId);
    if (!client) return;
    if (opts.room !== client.id && isClientIdShaped(opts.room) && this.registry.clients.has(opts.room)) return;
    this.registry.join(client, opts.room);
  }

  leaveRoom(opts: { clientId: string; room: string }): void {
    const client = this.registry.clients.get(opts.clientId);
    if (client && opts.room !== client.id) this.registry.leave(client, opts.room);
  }
}
