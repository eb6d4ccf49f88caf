import { BaseHelper } from '@venizia/ignis-helpers';
import { createBroker, type IWebSocketBroker } from '../broker/index.js';
import { WebSocketCloseCodes, WebSocketReadyStates, type AnyObject } from '../protocol/index.js';
import { AuthFlow } from './auth-flow.js';
import { createBunHandler } from './bun-handler.js';
import { ClientRegistry } from './client-registry.js';
import { ClientSessions } from './client-session.js';
import { CrossInstancePublisher, CrossInstanceReceiver } from './cross-instance.js';
import { Delivery } from './delivery.js';
import { HeartbeatSweeper } from './heartbeat.js';
import { InboundOpener } from './inbound-opener.js';
import { InboundRouter } from './inbound-router.js';
import { ClientMessenger } from './messenger.js';
import { resolveServerOptions, type IWebSocketServerOptions, type TResolvedServerOptions } from './options.js';
import { InboundRateLimiter } from './rate-limiter.js';
import { RoomRequests } from './room-requests.js';
import { assertBunRuntime } from './runtime.js';
import { ServerApi } from './server-api.js';
import { TypedEvents } from './typed-events.js';
import { UpgradeGate } from './upgrade-gate.js';
import type { IBunServer, IBunWebSocketHandler, IWebSocketClient, IWebSocketDeliveryStats, TAnyEventDefinition } from './types.js';

/** Event name a server -> client event map allows (any string when no map is declared). */
type TEventName<ServerEvents> = keyof ServerEvents & string;

/**
 * WebSocket server on Bun: post-connection auth, client/user/room tracking, rooms, local
 * delivery with Bun's topic fast path, per-client encryption, passive heartbeat, protection
 * against abusive clients and cross-instance delivery through a broker (Redis, or in-process
 * when no Redis is given). A thin facade: the constructor builds the parts once (see
 * wiki/architecture.md), every public method hands over to the part that owns the behaviour.
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
  private readonly opts: TResolvedServerOptions<AuthDataType, MetadataType>;
  private readonly broker: IWebSocketBroker;
  private readonly registry: ClientRegistry<MetadataType>;
  private readonly delivery: Delivery<MetadataType>;
  private readonly auth: AuthFlow<AuthDataType, MetadataType>;
  private readonly router: InboundRouter<AuthDataType, MetadataType>;
  private readonly heartbeat: HeartbeatSweeper<MetadataType>;
  private readonly receiver: CrossInstanceReceiver<MetadataType>;
  private readonly gate: UpgradeGate;
  private readonly typedEvents: TypedEvents<MetadataType>;
  private readonly sessions: ClientSessions<AuthDataType, MetadataType>;
  private readonly api: ServerApi<MetadataType>;
  private configured = false;

  constructor(options: IWebSocketServerOptions<AuthDataType, MetadataType>) {
    super({ scope: WebSocketServerHelper.name, identifier: options.identifier });
    assertBunRuntime();
    const opts = (this.opts = resolveServerOptions(options));
    const logger = this.logger;
    this.broker = createBroker({ redisConnection: opts.redisConnection, logger, limits: opts.broker });
    this.registry = new ClientRegistry<MetadataType>(this.broker);
    const { backpressureLimit, closeOnBackpressureLimit: close } = opts.serverOptions;
    const slowConsumers = { backpressureLimit, close, maxQueuedEncrypted: opts.maxQueuedEncrypted };
    this.delivery = new Delivery<MetadataType>(opts.server, this.registry, opts.outboundTransformer, opts.encryptedBatchLimit, logger, slowConsumers);
    const messenger = new ClientMessenger(this.delivery);
    const limiter = new InboundRateLimiter(opts.protection.rateLimit);
    this.gate = new UpgradeGate(opts.protection, logger);
    this.sessions = new ClientSessions(opts, this.registry, messenger, { limiter, gate: this.gate }, logger);
    const publisher = new CrossInstancePublisher(this.serverId, this.broker, this.delivery.stats, logger);
    this.api = new ServerApi(this.registry, this.delivery, publisher, logger);
    this.receiver = new CrossInstanceReceiver(this.serverId, this.delivery, this.delivery.stats, logger);
    this.typedEvents = new TypedEvents<MetadataType>(opts.events, messenger, this.api);
    this.auth = new AuthFlow(opts, this.registry, this.sessions, messenger, logger);
    const rooms = new RoomRequests<MetadataType>(this.registry, opts.validateRoomFn, opts.protection.maxRoomsPerClient, messenger, logger);
    const inbound = opts.inboundTransformer && new InboundOpener(opts.inboundTransformer, this.registry, opts.protection.maxJsonDepth, logger);
    const routes = { auth: this.auth, rooms, typedEvents: this.typedEvents, messageHandler: opts.messageHandler, limiter, inbound };
    this.router = new InboundRouter(routes, messenger, logger, opts.protection.maxJsonDepth);
    this.heartbeat = new HeartbeatSweeper(this.registry, opts.heartbeatInterval, opts.heartbeatTimeout);
  }

  /** Connects the broker (Redis or in-process) and starts the heartbeat sweep. */
  async configure(): Promise<void> {
    if (this.configured) return;
    await this.broker.start(this.receiver);
    this.heartbeat.start();
    this.configured = true;
    this.logger.info(`[${this.identifier}] ready on '${this.opts.path}' (broker: ${this.broker.kind}, node ${this.serverId})`);
  }

  /** Stops the sweep, closes every client with 1001 after its disconnect callbacks, quits the broker. */
  async shutdown(): Promise<void> {
    this.heartbeat.stop();
    // Encrypted sends already accepted go out before the sockets close (bounded: a hung transformer cannot stall shutdown).
    await this.delivery.settle();
    const clients = [...this.registry.clients.values()];
    await Promise.all(clients.map(client => this.sessions.end(client.socket)));
    for (const client of clients) {
      if (client.socket.readyState <= WebSocketReadyStates.OPEN) client.socket.close(WebSocketCloseCodes.GOING_AWAY, 'Server shutting down');
    }
    this.registry.clear();
    await this.broker.stop();
    this.configured = false;
  }

  getPath(): string {
    return this.opts.path;
  }

  /** This node's id on the broker; messages carrying it are ignored when they come back. */
  getServerId(): string {
    return this.serverId;
  }

  /** Delivery and cross-instance counters. */
  getStats(): Readonly<IWebSocketDeliveryStats> {
    return this.delivery.stats;
  }

  /** Channels this node is subscribed to on the broker (interest-based; empty for the in-process broker). */
  getSubscribedChannels(): string[] {
    return this.broker.getSubscribedChannels();
  }

  /** Resolves once the broker has acknowledged every subscription change made so far. */
  subscriptionsSettled(): Promise<void> {
    return this.broker.settled();
  }

  /** Registered typed events (for client type generation and diagnostics). */
  getTypedEvents(): TAnyEventDefinition<MetadataType>[] {
    return this.typedEvents.list();
  }

  /** True when the request is a WebSocket upgrade on this helper's path (path first: it is the cheap test). */
  isUpgradeRequest(req: Request): boolean {
    const url = req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const end = url.indexOf('?', start);
    if (url.slice(start, end === -1 ? undefined : end) !== this.opts.path) return false;
    return req.headers.get('upgrade')?.toLowerCase() === 'websocket';
  }

  /** Upgrades with a fresh client id; 503 / 429 past the upgrade caps (see `UpgradeGate`), 400 when Bun refuses. */
  upgrade(req: Request, server: IBunServer = this.opts.server): Response | undefined {
    const data = this.gate.enter(req, server);
    if (data instanceof Response) return data;
    if (server.upgrade(req, { data })) return undefined;
    this.gate.left(data);
    return new Response('WebSocket upgrade failed', { status: 400 });
  }

  getBunWebSocketHandler(): IBunWebSocketHandler {
    return createBunHandler({
      native: this.opts.serverOptions,
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
    return this.registry.lookup(this.registry.users.get(opts.userId));
  }

  getClientsByRoom(opts: { room: string }): IWebSocketClient<MetadataType>[] {
    const own = this.registry.ownRoomMember(opts.room);
    return own ? [own] : this.registry.lookup(this.registry.rooms.get(opts.room));
  }

  /** Joins an authenticated client to a room; reserved names (`ws:` prefix, client-id shape) are refused on every node. */
  joinRoom(opts: { clientId: string; room: string }): void {
    this.api.joinRoom(opts);
  }

  leaveRoom(opts: { clientId: string; room: string }): void {
    this.api.leaveRoom(opts);
  }

  /** Takes a client off all Bun topics for good; later messages go through the transformer. */
  enableClientEncryption(opts: { clientId: string }): void {
    const client = this.registry.clients.get(opts.clientId);
    if (client) this.registry.markEncrypted(client);
  }

  sendToClient<E extends TEventName<ServerEvents>>(opts: { clientId: string; event: E; data: ServerEvents[E]; doLog?: boolean }): void {
    this.api.sendToClient(opts);
  }

  sendToUser<E extends TEventName<ServerEvents>>(opts: { userId: string; event: E; data: ServerEvents[E] }): void {
    this.api.sendToUser(opts);
  }

  sendToRoom<E extends TEventName<ServerEvents>>(opts: { room: string; event: E; data: ServerEvents[E]; exclude?: string[] }): void {
    this.api.sendToRoom(opts);
  }

  broadcast<E extends TEventName<ServerEvents>>(opts: { event: E; data: ServerEvents[E]; exclude?: string[] }): void {
    this.api.broadcast(opts);
  }

  /** Delivers locally and publishes for the other nodes: everyone, a client id, or a room; throws for a protocol event (see `ServerApi.send`). */
  send<E extends TEventName<ServerEvents>>(opts: {
    destination?: string;
    payload: { topic: E; data: ServerEvents[E] };
    doLog?: boolean;
    cb?: () => void;
  }): void {
    this.api.send(opts);
  }
}
