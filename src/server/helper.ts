import { BaseHelper } from '@venizia/ignis-helpers';
import { createBroker, createPresenceStore, type IWebSocketBroker, type IWebSocketPresence } from '../broker/index.js';
import { LogFormats, jsonLogger, writeLogEvent } from '../logging/log-format.js';
import { WebSocketChannels, WebSocketCloseCodes, WebSocketDefaults, WebSocketReadyStates, type AnyObject } from '../protocol/index.js';
import { AuthFlow } from './auth-flow.js';
import { createBunHandler } from './bun-handler.js';
import { ClientRegistry } from './client-registry.js';
import { ClientSessions } from './client-session.js';
import { ClusterApi, type IWebSocketClusterApi } from './cluster-api.js';
import { CrossInstancePublisher, CrossInstanceReceiver } from './cross-instance.js';
import { Delivery } from './delivery.js';
import { LocalDisconnects } from './disconnects.js';
import { HeartbeatSweeper } from './heartbeat.js';
import { InboundOpener } from './inbound-opener.js';
import { InboundRouter } from './inbound-router.js';
import { ClientMessenger } from './messenger.js';
import { resolveServerOptions, type IWebSocketServerOptions, type TResolvedServerOptions } from './options.js';
import { RoomHistory, type IWebSocketHistoryResult } from './history.js';
import { HistoryRequests } from './history-requests.js';
import type { IStreamPosition } from '../protocol/index.js';
import { PresenceTracker } from './presence.js';
import { InboundRateLimiter } from './rate-limiter.js';
import { RoomRequests } from './room-requests.js';
import { assertBunRuntime } from './runtime.js';
import { ServerApi } from './server-api.js';
import { TypedEvents } from './typed-events.js';
import { UpgradeGate, isUpgradeRefusal } from './upgrade-gate.js';
import type { IWebSocketHealth } from './health.js';
import { OperationsEndpoints } from './operations.js';
import type { Registry } from 'prom-client';
import type {
  IBunServer,
  IBunWebSocketHandler,
  IWebSocketClient,
  IWebSocketDeliveryStats,
  TAnyEventDefinition,
  TWebSocketDestination,
} from './types.js';

/** `ws(s)://host:port/path` of a server listening on TCP, for the start-up line; undefined when Bun gives no URL. */
const QUESTION_MARK = 0x3f; // ?

/** The request asks for a WebSocket (`Upgrade: websocket`, any case). */
const hasUpgradeHeader = (req: Request): boolean => {
  const upgrade = req.headers.get('upgrade');
  return upgrade === 'websocket' || upgrade?.toLowerCase() === 'websocket';
};

const socketUrl = (server: IBunServer, path: string): string | undefined => {
  const base = server.url;
  if (!base || !/^https?:$/.test(base.protocol)) return undefined;
  return `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}${path}`;
};

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
  private readonly presence: PresenceTracker<MetadataType>;
  private configured = false;
  private readonly ops: OperationsEndpoints<MetadataType>;
  /**
   * Beyond the contract: sends and disconnects that reach every node (`sendToClient`,
   * `sendToUser`, `sendToRoom`, `broadcast`, `disconnect`); the helper's own `sendTo*` and
   * `broadcast` stay local, as in the contract. See cluster-api.ts and wiki/usage.md.
   */
  readonly cluster: IWebSocketClusterApi<ServerEvents>;

  constructor(options: IWebSocketServerOptions<AuthDataType, MetadataType>) {
    super({ scope: WebSocketServerHelper.name, identifier: options.identifier });
    assertBunRuntime();
    const opts = (this.opts = resolveServerOptions(options));
    if (opts.logFormat === LogFormats.JSON) this.logger = jsonLogger(`${WebSocketServerHelper.name}-${opts.identifier}`);
    const logger = this.logger;
    this.broker = createBroker({ redisConnection: opts.redisConnection, logger, limits: opts.broker });
    this.registry = new ClientRegistry<MetadataType>(this.broker);
    const { backpressureLimit, closeOnBackpressureLimit: close } = opts.serverOptions;
    const slowConsumers = { backpressureLimit, close, maxQueuedEncrypted: opts.maxQueuedEncrypted };
    this.delivery = new Delivery<MetadataType>(opts.server, this.registry, opts.outboundTransformer, opts.encryptedBatchLimit, logger, slowConsumers);
    const messenger = new ClientMessenger(this.delivery);
    const limiter = new InboundRateLimiter(opts.protection.rateLimit);
    this.gate = new UpgradeGate(opts.protection, logger, this.delivery.telemetry);
    this.sessions = new ClientSessions(opts, this.registry, messenger, this.gate, logger);
    const publisher = new CrossInstancePublisher(this.serverId, this.broker, this.delivery.stats, logger, this.delivery.telemetry);
    const history = new RoomHistory(this.broker, opts.historyFn);
    this.api = new ServerApi(this.registry, this.delivery, publisher, logger, history);
    const disconnects = new LocalDisconnects(this.registry);
    this.cluster = new ClusterApi(this.serverId, this.api, this.registry, publisher, disconnects);
    this.receiver = new CrossInstanceReceiver(this.serverId, this.delivery, this.delivery.stats, logger, disconnects);
    const { publishTimeout: commandTimeout, closeTimeout } = opts.broker;
    const presenceStore = createPresenceStore({ redisConnection: opts.redisConnection, logger, lease: opts.presence.lease, commandTimeout, closeTimeout });
    this.presence = new PresenceTracker<MetadataType>(presenceStore, opts.presence, {
      node: this.serverId,
      userPresenceFn: opts.userPresenceFn,
      // Presence events reach the room's members here and on every other node, once each.
      sink: (room, event, data) => {
        this.delivery.toRoom(room, event, data);
        publisher.room(room, event, data);
      },
      hasLocalUser: userId => this.registry.hasUser(userId),
      localUsers: () => this.registry.userIds(),
      logger,
    });
    // Off (the default), the registry holds no hooks: joins and leaves pay for nothing.
    if (this.presence.active) this.registry.presence = this.presence;
    this.typedEvents = new TypedEvents<MetadataType>(opts.events, messenger, this.api);
    this.auth = new AuthFlow(opts, this.registry, this.sessions, messenger, logger, this.delivery.telemetry);
    const rooms = new RoomRequests<MetadataType>(this.registry, opts.validateRoomFn, opts.protection.maxRoomsPerClient, messenger, logger, history);
    const inbound = opts.inboundTransformer && new InboundOpener(opts.inboundTransformer, this.registry, opts.protection.maxJsonDepth, logger);
    const historyRequests = new HistoryRequests<MetadataType>(history, messenger, logger);
    const routes = { auth: this.auth, rooms, history: historyRequests, typedEvents: this.typedEvents, messageHandler: opts.messageHandler, limiter, inbound, telemetry: this.delivery.telemetry };
    this.router = new InboundRouter(routes, messenger, logger, opts.protection.maxJsonDepth);
    this.heartbeat = new HeartbeatSweeper(this.registry, opts.heartbeatInterval, opts.heartbeatTimeout);
    this.ops = new OperationsEndpoints(opts, { serverId: this.serverId, broker: this.broker, registry: this.registry, delivery: this.delivery });
  }

  /** Connects the broker (Redis or in-process) and starts the heartbeat sweep. */
  async configure(): Promise<void> {
    if (this.configured) return;
    this.ops.lifecycle('starting');
    await this.broker.start(this.receiver);
    // Every node hears the control commands (disconnect…); acknowledged before any client can connect here.
    this.broker.subscribe(WebSocketChannels.CONTROL);
    await this.registry.interestSettled(WebSocketDefaults.INTEREST_SETTLE_WAIT);
    await this.presence.start();
    this.heartbeat.start();
    this.configured = true;
    this.ops.configured();
    const fields = { url: socketUrl(this.opts.server, this.opts.path), path: this.opts.path, broker: this.broker.kind, node: this.serverId };
    writeLogEvent({ logger: this.logger, format: this.opts.logFormat, level: 'info', message: 'WebSocket server ready', fields });
  }

  /** Stops the sweep, closes every client with 1001 after its disconnect callbacks, quits the broker. */
  async shutdown(): Promise<void> {
    this.ops.lifecycle('stopping');
    this.heartbeat.stop();
    // Encrypted sends already accepted go out before the sockets close (bounded: a hung transformer cannot stall shutdown).
    await this.delivery.settle();
    const clients = [...this.registry.clients.values()];
    const end = { code: WebSocketCloseCodes.GOING_AWAY, reason: 'Server shutting down' };
    await Promise.all(clients.map(client => this.sessions.end(client.socket, end)));
    for (const client of clients) {
      if (client.socket.readyState <= WebSocketReadyStates.OPEN) client.socket.close(WebSocketCloseCodes.GOING_AWAY, 'Server shutting down');
    }
    this.registry.clear();
    // After every client left: its presence writes answered and its leave events published.
    await this.presence.stop();
    await this.broker.stop();
    this.configured = false;
    this.ops.lifecycle('stopped');
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

  /** Beyond the contract: readiness (`ok` only when configured, subscribed, not stopping, Redis answering); docs: wiki/operations.md#health. */
  getHealth(): Promise<IWebSocketHealth> {
    return this.ops.health();
  }

  /** Beyond the contract: every metric in the Prometheus text format; docs: wiki/operations.md#metrics. */
  getMetrics(): Promise<string> {
    return this.ops.metricsRegistry().metrics();
  }

  /** Beyond the contract: the prom-client `Registry` behind `getMetrics()` (its own, never the global one), e.g. for `Registry.merge`. */
  getMetricsRegistry(): Registry {
    return this.ops.metricsRegistry();
  }

  /** Beyond the contract: the answer to GET on `healthPath` / `metricsPath`; undefined for any other request. */
  respondToOperations(req: Request): Promise<Response> | undefined {
    return this.ops.respond(req);
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
    return this.isOnPath(req) && hasUpgradeHeader(req);
  }

  /** True when the request's path is this helper's (`path`), whatever its method or headers. */
  isOnPath(req: Request): boolean {
    const url = req.url;
    const path = this.opts.path;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    // The path, then the end of the URL or its query: compared in place, no substring made.
    if (start === -1 || !url.startsWith(path, start)) return false;
    const after = start + path.length;
    return after === url.length || url.charCodeAt(after) === QUESTION_MARK;
  }

  /** Upgrades with a fresh client id; 503 / 429 past the upgrade caps (see `UpgradeGate`), 400 when Bun refuses. */
  upgrade(req: Request, server: IBunServer = this.opts.server): Response | undefined {
    const entry = this.gate.enter(req, server);
    if (isUpgradeRefusal(entry)) return this.gate.refuse(entry);
    if (server.upgrade(req, { data: entry })) return undefined;
    this.gate.left(entry);
    return new Response('WebSocket upgrade failed', { status: 400 });
  }

  /**
   * Beyond the contract, for a request already known to be on this helper's path (`isOnPath`):
   * `upgrade()` without the header check first — Bun's own upgrade checks the headers natively,
   * so the usual request costs no `Headers` object. `null` when it is not a WebSocket upgrade
   * (the app serves it); otherwise what `upgrade()` answers.
   */
  upgradeOnPath(req: Request, server: IBunServer = this.opts.server): Response | undefined | null {
    const entry = this.gate.enter(req, server);
    if (!isUpgradeRefusal(entry)) {
      if (server.upgrade(req, { data: entry })) return undefined;
      this.gate.left(entry);
    }
    if (!hasUpgradeHeader(req)) return null;
    return isUpgradeRefusal(entry) ? this.gate.refuse(entry) : new Response('WebSocket upgrade failed', { status: 400 });
  }

  getBunWebSocketHandler(): IBunWebSocketHandler {
    return createBunHandler({
      native: this.opts.serverOptions,
      registry: this.registry,
      router: this.router,
      onOpen: socket => {
        this.delivery.telemetry.connectionsOpened++;
        this.auth.start(this.registry.add(socket));
      },
      onClose: (socket, code, reason) => {
        this.delivery.telemetry.connectionClosed(code);
        void this.sessions.end(socket, { code, reason });
      },
    });
  }

  getClients(opts: { id: string }): IWebSocketClient<MetadataType> | undefined;
  getClients(opts?: { id?: undefined }): Map<string, IWebSocketClient<MetadataType>>;
  getClients(opts?: { id?: string }): IWebSocketClient<MetadataType> | undefined | Map<string, IWebSocketClient<MetadataType>> {
    return opts?.id !== undefined ? this.registry.clients.get(opts.id) : this.registry.clients;
  }

  getClientsByUser(opts: { userId: string }): IWebSocketClient<MetadataType>[] {
    return this.registry.lookup(this.registry.userSessions(opts.userId));
  }

  getClientsByRoom(opts: { room: string }): IWebSocketClient<MetadataType>[] {
    const own = this.registry.ownRoomMember(opts.room);
    return own ? [own] : this.registry.lookup(this.registry.rooms.get(opts.room));
  }

  /** Local: members of a room on this node (a local client's id counts as its one-member room); O(1). */
  getRoomSize(opts: { room: string }): number {
    return this.registry.rooms.get(opts.room)?.size ?? (this.registry.ownRoomMember(opts.room) ? 1 : 0);
  }

  /** Local: authenticated sockets of a user on this node; O(1). */
  getUserConnections(opts: { userId: string }): number {
    return this.registry.userSessionCount(opts.userId);
  }

  /**
   * Beyond the contract: who is in a room on every node, `{ room, connections, users: [{ userId,
   * connections, info? }] }`, for rooms that have presence (`presence.rooms`; other rooms read
   * empty). Works on any node, whatever its own presence options. Docs: wiki/presence.md
   */
  getPresence(room: string | { room: string }): Promise<IWebSocketPresence> {
    return this.presence.get(typeof room === 'string' ? room : room.room);
  }

  /**
   * Extension: a room's history on every node (rooms `historyFn` gives one): with `since`, the
   * messages after that position and `recovered` (false: the gap is older than the history or its
   * epoch changed); without, the newest `limit`. Docs: wiki/recovery.md
   */
  history(room: string, opts: { since?: IStreamPosition; limit?: number } = {}): Promise<IWebSocketHistoryResult> {
    return this.api.getHistory(room, opts);
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

  /** Delivers locally and publishes for the other nodes: everyone, a client id, a room or `{ userId }`; throws for a protocol event (see `ServerApi.send`). */
  send<E extends TEventName<ServerEvents>>(opts: {
    destination?: TWebSocketDestination;
    payload: { topic: E; data: ServerEvents[E] };
    doLog?: boolean;
    cb?: () => void;
  }): void {
    this.api.send(opts);
  }
}
