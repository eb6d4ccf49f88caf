import { buildDisconnectCommand } from '../broker/envelope.js';
import { isClientIdShaped, type AnyObject } from '../protocol/index.js';
import type { ClientRegistry } from './client-registry.js';
import type { CrossInstancePublisher } from './cross-instance.js';
import type { LocalDisconnects } from './disconnects.js';
import { refuseProtocolEvent, type ServerApi } from './server-api.js';

/** Event name a server -> client event map allows (any string when no map is declared). */
type TEventName<ServerEvents> = keyof ServerEvents & string;

/** Who `disconnect()` closes (exactly one of `clientId` / `userId`), with what close code and reason. */
export type TWebSocketDisconnectOptions = ({ clientId: string; userId?: undefined } | { userId: string; clientId?: undefined }) & {
  /** 1000 or 3000–4999; default 4007 (`WebSocketCloseCodes.KICKED`, the client library does not reconnect). */
  code?: number;
  /** At most 123 UTF-8 bytes; default `'Disconnected by the server'`. */
  reason?: string;
};

/**
 * Beyond the contract: `helper.cluster`, the service API that reaches every node. The same
 * methods and arguments as the helper's local `sendToClient` / `sendToUser` / `sendToRoom` /
 * `broadcast`, plus `disconnect`. Each delivers to this node's clients, then publishes once
 * for the others, so every target socket gets the message exactly once wherever it is (a node
 * ignores its own echo). Fire-and-forget like `send()`: a publish that fails is counted in
 * `getStats()`, never thrown; a protocol event name or a bad disconnect target throws at once.
 */
export interface IWebSocketClusterApi<ServerEvents extends AnyObject = AnyObject> {
  /** One connection wherever it is: delivered here if it is local (nothing published), otherwise published on `ws:client:<id>`. */
  sendToClient<E extends TEventName<ServerEvents>>(opts: { clientId: string; event: E; data: ServerEvents[E] }): void;
  /** Every session of the user on every node (`ws:user:<id>`). */
  sendToUser<E extends TEventName<ServerEvents>>(opts: { userId: string; event: E; data: ServerEvents[E] }): void;
  /** A room's members on every node, minus `exclude` (`ws:room:<room>`). A client id as `room` addresses that client, as in `send()`. */
  sendToRoom<E extends TEventName<ServerEvents>>(opts: { room: string; event: E; data: ServerEvents[E]; exclude?: string[] }): void;
  /** Every authenticated client on every node, minus `exclude` (`ws:broadcast`). */
  broadcast<E extends TEventName<ServerEvents>>(opts: { event: E; data: ServerEvents[E]; exclude?: string[] }): void;
  /**
   * Closes a client's socket, or every socket of a user, on every node (a kick), with `code`
   * (default 4007) and `reason`; the disconnect callbacks run as for any close. Published as a
   * command on `ws:control`, which no client ever receives. A kick is not a ban: refuse the user
   * in your authenticate callback too if they must stay out.
   */
  disconnect(opts: TWebSocketDisconnectOptions): void;
}

/** `helper.cluster`: local delivery through `ServerApi`, then one publish through `CrossInstancePublisher`. */
export class ClusterApi<MetadataType extends AnyObject> implements IWebSocketClusterApi {
  constructor(
    private readonly serverId: string,
    private readonly local: ServerApi<MetadataType>,
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly publisher: CrossInstancePublisher,
    private readonly disconnects: LocalDisconnects<MetadataType>,
  ) {}

  sendToClient(opts: { clientId: string; event: string; data: unknown }): void {
    refuseProtocolEvent('cluster.sendToClient', opts.event);
    this.toClient(opts.clientId, opts.event, opts.data);
  }

  sendToUser(opts: { userId: string; event: string; data: unknown }): void {
    refuseProtocolEvent('cluster.sendToUser', opts.event);
    this.local.sendToUser(opts);
    this.publisher.user(opts.userId, opts.event, opts.data);
  }

  sendToRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): void {
    refuseProtocolEvent('cluster.sendToRoom', opts.event);
    const { room, event, data, exclude } = opts;
    // A client id is that client's own id room, which has no room channel: address the client.
    if (isClientIdShaped(room)) {
      if (!exclude?.includes(room)) this.toClient(room, event, data);
      return;
    }
    if (this.local.sentWithHistory(room, event, data, exclude)) return;
    this.local.sendToRoom(opts);
    this.publisher.room(room, event, data, exclude);
  }

  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): void {
    refuseProtocolEvent('cluster.broadcast', opts.event);
    this.local.broadcast(opts);
    this.publisher.broadcast(opts.event, opts.data, opts.exclude);
  }

  disconnect(opts: TWebSocketDisconnectOptions): void {
    const command = buildDisconnectCommand(this.serverId, opts);
    // Client ids are unique: a client found here is nowhere else, so nothing needs publishing.
    const hereOnly = command.clientId !== undefined && this.registry.clients.has(command.clientId);
    this.disconnects.close(command, command.code, command.reason);
    if (!hereOnly) this.publisher.control(command);
  }

  private toClient(clientId: string, event: string, data: unknown): void {
    const client = this.registry.getAuthenticated(clientId);
    if (client) this.local.sendToClient({ clientId, event, data });
    else this.publisher.client(clientId, event, data);
  }
}
