import { BaseHelper, getError } from '@venizia/ignis-helpers';
import { createBroker, type IWebSocketBroker } from '../broker';
import {
  WebSocketCloseCodes,
  WebSocketDefaults,
  isClientIdShaped,
  type AnyObject,
  type IBunServer,
  type IBunWebSocketHandler,
  type IWebSocketClient,
  type IWebSocketDeliveryStats,
  type IWebSocketServerOptions,
} from '../common';
import { AuthFlow } from './auth-flow';
import { createBunHandler } from './bun-handler';
import { ClientRegistry } from './client-registry';
import { ClientSessions } from './client-session';
import { CrossInstancePublisher, CrossInstanceReceiver } from './cross-instance';
import { Delivery } from './delivery';
import { HeartbeatSweeper } from './heartbeat';
import { InboundRouter } from './inbound-router';
import { ConnectionCap, InboundRateLimiter } from './rate-limiter';
import { RoomRequests } from './room-requests';
import { TypedEvents } from './typed-events';

/** Event name a server -> client event map allows (any string when no map is declared). */
type TEventName<ServerEvents> = keyof ServerEvents & string;

/**
 * WebSocket server on Bun: post-connection auth, client/user/room tracking, rooms, local
 * delivery with Bun's topic fast path, per-client encryption, passive heartbeat, protection
 * against abusive clients and cross-instance delivery through a broker (Redis, or in-process
 * when no Redis is given). This class wires the parts; each behaviour lives in its own file.
 * `ServerEvents` (optional) types every send: a wrong event name or data shape fails to compile.
 *
 * @example
 * const helper = new WebSocketServerHelper({ identifier: 'chat', server, authenticateFn });
 * await helper.configure();
 * server.reload({ fetch: (req, srv) => helper.upgrade(req, srv), websocket: helper.getBunWebSocketHandler() });
 */
export class WebSocketServerHelper<
  AuthDataType extends AnyObject = AnyObject,
  MetadataType extends AnyObject = AnyObject,
  ServerEvents extends AnyObject = AnyObject,
> extends BaseHelper {
  private readonly serverId = crypto.randomUUID();
  private readonly path: string;
  private readonly server: IBunServer;
  private readonly defaultRooms: string[];
  private readonly broker: IWebSocketBroker;
  private readonly registry: ClientRegistry<MetadataType>;
  private readonly delivery: Delivery<MetadataType>;
  private readonly auth: AuthFlow<AuthDataType, MetadataType>;
  private readonly router: InboundRouter<AuthDataType, MetadataType>;
  private readonly heartbeat: HeartbeatSweeper<MetadataType>;
  private readonly receiver: CrossInstanceReceiver;
  private readonly publisher: CrossInstancePublisher;
  private readonly limiter: InboundRateLimiter;
  private readonly connectionCap: ConnectionCap;
  private readonly typedEvents: TypedEvents<MetadataType>;
  private readonly sessions: ClientSessions<AuthDataType, MetadataType>;
  private configured = false;

  constructor(private readonly opts: IWebSocketServerOptions<AuthDataType, MetadataType>) {
    super({ scope: WebSocketServerHelper.name, identifier: opts.identifier });
    if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined') {
      throw getError({ message: `[${opts.identifier}] WebSocketServerHelper needs the Bun runtime; start the app with 'bun'.` });
    }
    if (!opts.server) throw getError({ message: `[${opts.identifier}] 'server' (the Bun server instance) is required.` });
    if (typeof opts.authenticateFn !== 'function') {
      throw getError({ message: `[${opts.identifier}] 'authenticateFn' is required: it decides who may connect.` });
    }
    const protection = opts.protection ?? {};
    this.path = opts.path ?? WebSocketDefaults.PATH;
    this.server = opts.server;
    this.defaultRooms = opts.defaultRooms ?? [WebSocketDefaults.ROOM, WebSocketDefaults.NOTIFICATION_ROOM];
    this.broker = createBroker({ redisConnection: opts.redisConnection, logger: this.logger });
    this.registry = new ClientRegistry<MetadataType>(this.broker);
    const batchLimit = opts.encryptedBatchLimit ?? WebSocketDefaults.ENCRYPTED_BATCH_LIMIT;
    this.delivery = new Delivery<MetadataType>(this.server, this.registry, opts.outboundTransformer, batchLimit, this.logger);
    this.limiter = new InboundRateLimiter(protection.rateLimit);
    this.connectionCap = new ConnectionCap(protection.maxConnectionsPerIp ?? WebSocketDefaults.MAX_CONNECTIONS_PER_IP);
    this.sessions = new ClientSessions(opts, this.defaultRooms, this.registry, this.delivery, {
      limiter: this.limiter,
      connectionCap: this.connectionCap,
    }, this.logger);
    const sessions = this.sessions;
    const host = {
      helper: this as WebSocketServerHelper<AuthDataType, MetadataType, any>,
      sendError: sessions.sendError.bind(sessions),
      sendSystem: sessions.sendSystem.bind(sessions),
      sendReply: sessions.sendSystem.bind(sessions),
      onAdmitted: sessions.onAdmitted.bind(sessions),
      channelsOf: sessions.channelsOf.bind(sessions),
    };
    this.typedEvents = new TypedEvents<MetadataType>(opts.events ?? [], host);
    this.auth = new AuthFlow(opts, opts.authTimeout ?? WebSocketDefaults.AUTH_TIMEOUT, this.registry, host, this.logger);
    const maxRooms = protection.maxRoomsPerClient ?? WebSocketDefaults.MAX_ROOMS_PER_CLIENT;
    const rooms = new RoomRequests<MetadataType>(this.registry, opts.validateRoomFn, maxRooms, host, this.logger);
    const routes = { auth: this.auth, rooms, typedEvents: this.typedEvents, messageHandler: opts.messageHandler, limiter: this.limiter };
    this.router = new InboundRouter(routes, host, this.logger);
    this.heartbeat = new HeartbeatSweeper(
      this.registry,
      opts.heartbeatInterval ?? WebSocketDefaults.HEARTBEAT_INTERVAL,
      opts.heartbeatTimeout ?? WebSocketDefaults.HEARTBEAT_TIMEOUT,
    );
    // Rooms from other nodes are real rooms only: an own-id room is reached by the client channel.
    const local = {
      sendToClient: (m: { clientId: string; event: string; data: unknown }) => this.sendToClient(m as never),
      sendToUser: (m: { userId: string; event: string; data: unknown }) => this.delivery.toUser(m.userId, m.event, m.data),
      sendToRoom: (m: { room: string; event: string; data: unknown; exclude?: string[] }) =>
        this.delivery.toRoom(m.room, m.event, m.data, m.exclude),
      broadcast: (m: { event: string; data: unknown; exclude?: string[] }) => this.delivery.toAll(m.event, m.data, m.exclude),
    };
    this.receiver = new CrossInstanceReceiver(this.serverId, local, this.delivery.stats, this.logger);
    this.publisher = new CrossInstancePublisher(this.serverId, this.broker, this.delivery.stats, this.logger);
  }

  /** Connects the broker (Redis or in-process) and starts the heartbeat sweep. */
  async configure(): Promise<void> {
    if (this.configured) return;
    await this.broker.start(raw => this.receiver.receive(raw));
    this.heartbeat.start();
    this.configured = true;
    this.logger.info(`[${this.identifier}] ready on '${this.path}' (broker: ${this.broker.kind}, node ${this.serverId})`);
  }

  /** Stops the sweep, closes every client with 1001 after its disconnect callbacks, quits the broker. */
  async shutdown(): Promise<void> {
    this.heartbeat.stop();
    // Encrypted sends already accepted go out before the sockets close (bounded: a hung transformer cannot stall shutdown).
    await this.delivery.settle();
    const clients = [...this.registry.clients.values()];
    await Promise.all(clients.map(client => this.sessions.end(client.socket)));
    for (const client of clients) {
      if (client.socket.readyState <= 1) client.socket.close(WebSocketCloseCodes.GOING_AWAY, 'Server shutting down');
    }
    this.registry.clear();
    await this.broker.stop();
    this.configured = false;
  }

  getPath(): string {
    return this.path;
  }

  /** This node's id on the broker; messages carrying it are ignored when they come back. */
  getServerId(): string {
    return this.serverId;
  }

  /** Delivery and cross-instance counters. */
  getStats(): Readonly<IWebSocketDeliveryStats> {
    return this.delivery.stats;
  }

  /** Channels this node is subscribed to on the broker (interest-based). */
  getSubscribedChannels(): string[] {
    return this.broker.getSubscribedChannels();
  }

  /** Resolves once the broker has acknowledged every subscription change made so far. */
  subscriptionsSettled(): Promise<void> {
    return this.broker.settled();
  }

  /** Registered typed events (for client type generation and diagnostics). */
  getTypedEvents() {
    return this.typedEvents.list();
  }

  /** True when the request is a WebSocket upgrade on this helper's path (path first: it is the cheap test). */
  isUpgradeRequest(req: Request): boolean {
    const url = req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const end = url.indexOf('?', start);
    if (url.slice(start, end === -1 ? undefined : end) !== this.path) return false;
    return req.headers.get('upgrade')?.toLowerCase() === 'websocket';
  }

  /** Upgrades with a fresh client id; 429 when the address is at its connection cap, 400 when Bun refuses. */
  upgrade(req: Request, server: IBunServer = this.server): Response | undefined {
    // The address is only looked up when a per-address cap needs it.
    const ip = this.connectionCap.enabled ? server.requestIP?.(req)?.address : undefined;
    if (!this.connectionCap.tryAcquire(ip)) return new Response('Too many connections from this address', { status: 429 });
    if (server.upgrade(req, { data: { clientId: crypto.randomUUID(), ip } })) return undefined;
    this.connectionCap.release(ip);
    return new Response('WebSocket upgrade failed', { status: 400 });
  }

  getBunWebSocketHandler(): IBunWebSocketHandler {
    return createBunHandler({
      native: this.opts.serverOptions ?? {},
      registry: this.registry,
      router: this.router,
      onOpen: socket => this.auth.start(this.registry.add(socket)),
      onClose: socket => void this.sessions.end(socket),
    });
  }

  getClients(opts: { id: string }): IWebSocketClient<MetadataType> | undefined;
  getClients(opts?: { id?: undefined }): Map<string, IWebSocketClient<MetadataType>>;
  getClients(opts?: { id?: string }) {
    return opts?.id !== undefined ? this.registry.clients.get(opts.id) : this.registry.clients;
  }

  getClientsByUser(opts: { userId: string }): IWebSocketClient<MetadataType>[] {
    return this.lookup(this.registry.users.get(opts.userId));
  }

  getClientsByRoom(opts: { room: string }): IWebSocketClient<MetadataType>[] {
    const own = this.registry.ownRoomMember(opts.room);
    return own ? [own] : this.lookup(this.registry.rooms.get(opts.room));
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

  /** Takes a client off all Bun topics for good; later messages go through the transformer. */
  enableClientEncryption(opts: { clientId: string }): void {
    const client = this.registry.clients.get(opts.clientId);
    if (client) this.registry.markEncrypted(client);
  }

  sendToClient<E extends TEventName<ServerEvents>>(opts: { clientId: string; event: E; data: ServerEvents[E]; doLog?: boolean }): void {
    const client = this.registry.getAuthenticated(opts.clientId);
    if (!client) return;
    this.delivery.toClient(client, opts.event, opts.data);
    if (opts.doLog) this.logger.info(`sent '${opts.event}' to client ${opts.clientId}`);
  }

  sendToUser<E extends TEventName<ServerEvents>>(opts: { userId: string; event: E; data: ServerEvents[E] }): void {
    this.delivery.toUser(opts.userId, opts.event, opts.data);
  }

  sendToRoom<E extends TEventName<ServerEvents>>(opts: { room: string; event: E; data: ServerEvents[E]; exclude?: string[] }): void {
    const own = this.registry.ownRoomMember(opts.room);
    if (own) {
      if (!opts.exclude?.includes(own.id)) this.delivery.toClient(own, opts.event, opts.data);
      return;
    }
    this.delivery.toRoom(opts.room, opts.event, opts.data, opts.exclude);
  }

  broadcast<E extends TEventName<ServerEvents>>(opts: { event: E; data: ServerEvents[E]; exclude?: string[] }): void {
    this.delivery.toAll(opts.event, opts.data, opts.exclude);
  }

  /**
   * Delivers locally and publishes for the other nodes. No destination: everyone. A local
   * client id: that client only (ids are unique, nothing to publish). Otherwise a room, plus
   * the client channel when the name has the shape of a client id on another node.
   */
  send<E extends TEventName<ServerEvents>>(opts: {
    destination?: string;
    payload: { topic: E; data: ServerEvents[E] };
    doLog?: boolean;
    cb?: () => void;
  }): void {
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

  private lookup(ids: Set<string> | undefined): IWebSocketClient<MetadataType>[] {
    const out: IWebSocketClient<MetadataType>[] = [];
    if (!ids) return out;
    for (const id of ids) {
      const client = this.registry.clients.get(id);
      if (client) out.push(client);
    }
    return out;
  }
}
