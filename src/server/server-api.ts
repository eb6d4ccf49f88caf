import { getError, type Logger } from '@venizia/ignis-helpers';
import { isReservedEvent } from '../broker/envelope.js';
import { LogThrottle } from '../logging/log-throttle.js';
import { escapeLogText, quoteForLog } from '../logging/log-text.js';
import { isClientIdShaped, type AnyObject, type IStreamPosition } from '../protocol/index.js';
import type { ClientRegistry } from './client-registry.js';
import type { CrossInstancePublisher } from './cross-instance.js';
import type { Delivery } from './delivery.js';
import { isReservedRoom } from './room-requests.js';
import type { IWebSocketEventHelper, TWebSocketDestination } from './types.js';
import type { RoomHistory, IWebSocketHistoryResult } from './history.js';

/** Throws for a protocol event (`connected`, `error`, `…:reply`…): every other node would refuse it. */
export const refuseProtocolEvent = (method: string, event: string): void => {
  if (!isReservedEvent(event)) return;
  throw getError({
    message: `[${method}] '${event}' is a protocol event and cannot be sent to clients; pick an application event name (not a built-in event, not ending in ':reply')`,
  });
};

/**
 * What app code calls to reach clients and move them between rooms, with plain string events.
 * The helper's typed methods and every typed event handler's `ctx.helper` are this one object,
 * so a send from a handler and a send from a service take the same path. The `sendTo*` methods
 * and `broadcast` are local, as in the contract; `send()` reaches every node, and so does
 * `ClusterApi` (cluster-api.ts, `helper.cluster`).
 */
export class ServerApi<MetadataType extends AnyObject> implements IWebSocketEventHelper {
  private readonly logs: LogThrottle;

  constructor(
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly delivery: Delivery<MetadataType>,
    private readonly publisher: CrossInstancePublisher,
    private readonly logger: Logger,
    private readonly history?: RoomHistory,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /**
   * A room's history on every node (wiki/recovery.md): with `since`, the messages after it and
   * whether that is all of them (`recovered`); without, the newest `limit`. Rooms without history
   * read empty.
   */
  getHistory(room: string, opts: { since?: IStreamPosition; limit?: number } = {}): Promise<IWebSocketHistoryResult> {
    if (!this.history) return Promise.resolve({ pos: { offset: '0-0', epoch: '' }, messages: [] });
    return this.history.read(room, opts);
  }

  /** Publishes a room message through the room's history when it keeps one; true when it did (then nothing is delivered locally first). */
  sentWithHistory(room: string, event: string, data: unknown, exclude?: string[]): boolean {
    const policy = this.history?.policyOf(room);
    if (!policy) return false;
    this.publisher.roomWithHistory(room, event, data, exclude, policy);
    return true;
  }

  /** Local: one authenticated client on this node. */
  sendToClient(opts: { clientId: string; event: string; data: unknown; doLog?: boolean }): void {
    this.delivery.telemetry.sent.client++;
    const client = this.registry.getAuthenticated(opts.clientId);
    if (!client) return;
    this.delivery.toClient(client, opts.event, opts.data);
    if (opts.doLog) this.logger.info(escapeLogText(`sent '${opts.event}' to client ${opts.clientId}`));
  }

  /** Local: every session of a user on this node. */
  sendToUser(opts: { userId: string; event: string; data: unknown }): void {
    this.delivery.telemetry.sent.user++;
    this.delivery.toUser(opts.userId, opts.event, opts.data);
  }

  /** Local: a room on this node; a local client's id reaches that client (its own-id room). */
  sendToRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): void {
    this.delivery.telemetry.sent.room++;
    const own = this.registry.ownRoomMember(opts.room);
    if (own) {
      if (!opts.exclude?.includes(own.id)) this.delivery.toClient(own, opts.event, opts.data);
      return;
    }
    this.delivery.toRoom(opts.room, opts.event, opts.data, opts.exclude);
  }

  /** Local: every authenticated client on this node. */
  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): void {
    this.delivery.telemetry.sent.broadcast++;
    this.delivery.toAll(opts.event, opts.data, opts.exclude);
  }

  /**
   * Delivers locally and publishes for the other nodes. No destination: everyone. `{ userId }`:
   * every session of the user (`ws:user:<id>`). A local client id: that client only (ids are
   * unique, nothing to publish). Another client-id-shaped name: that client on another node,
   * published as a client message only (`ws:client:<id>`), so no room can ever receive it.
   * Anything else: a room. Protocol events (`connected`, `error`, `…:reply`…) are refused with an
   * error: every other node would refuse them.
   */
  send(opts: { destination?: TWebSocketDestination; payload: { topic: string; data: unknown }; doLog?: boolean; cb?: () => void }): void {
    const { destination, payload, doLog, cb } = opts;
    const { topic: event, data } = payload;
    refuseProtocolEvent('send', event);
    if (typeof destination === 'object') {
      if (typeof destination?.userId !== 'string' || destination.userId === '') {
        throw getError({ message: `[send] a destination object must be { userId: '<non-empty user id>' }; for a room or a client id pass the name as a string` });
      }
      this.delivery.telemetry.sent.user++;
      this.delivery.toUser(destination.userId, event, data);
      this.publisher.user(destination.userId, event, data);
      if (doLog) this.logger.info(escapeLogText(`send '${event}' to user ${destination.userId}`));
      if (cb) setTimeout(cb, 0);
      return;
    }
    const local = destination === undefined ? undefined : this.registry.getAuthenticated(destination);
    const sent = this.delivery.telemetry.sent;
    if (destination === undefined) {
      sent.broadcast++;
      this.delivery.toAll(event, data);
      this.publisher.broadcast(event, data);
    } else if (local) {
      sent.client++;
      this.delivery.toClient(local, event, data);
    } else if (isClientIdShaped(destination)) {
      sent.client++;
      this.publisher.client(destination, event, data);
    } else {
      sent.room++;
      if (!this.sentWithHistory(destination, event, data)) {
        this.delivery.toRoom(destination, event, data);
        this.publisher.room(destination, event, data);
      }
    }
    if (doLog) this.logger.info(escapeLogText(`send '${event}' to ${destination ?? 'everyone'}`));
    if (cb) setTimeout(cb, 0);
  }

  /**
   * Joins an authenticated client to a room. Reserved names (`ws:` prefix, client-id shape) are
   * refused on every node, whether or not such a client is here: a client's own id room is
   * implicit and never joined, so nobody can subscribe to another client's messages.
   */
  joinRoom(opts: { clientId: string; room: string }): void {
    const client = this.registry.getAuthenticated(opts.clientId);
    if (!client) return;
    if (isReservedRoom(opts.room)) {
      this.logs.warn(
        'join-reserved-room',
        `joinRoom refused room ${quoteForLog(opts.room)} for client ${client.id}: names starting with 'ws:' or shaped like a client id are reserved`,
      );
      return;
    }
    this.registry.join(client, opts.room);
  }

  leaveRoom(opts: { clientId: string; room: string }): void {
    const client = this.registry.clients.get(opts.clientId);
    if (client && opts.room !== client.id) this.registry.leave(client, opts.room);
  }
}
