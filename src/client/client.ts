/**
 * `WebSocketClient`: the app-facing client. It owns the life across sockets — connect, heartbeat,
 * reconnect with backoff, re-join rooms, typed events — and leaves one socket's protocol work
 * (auth, decryption, decoding) to `ClientConnection`. Docs: wiki/client.md.
 *
 * @example
 * const client = new WebSocketClient({ url: 'wss://example.com/ws', auth: () => ({ token }) });
 * client.on('chat', msg => render(msg));
 * await client.connect();
 * await client.join(['room-1']);
 */
import { WebSocketCloseCodes, WebSocketDefaults, WebSocketEvents } from '../protocol/constants.js';
import type { AnyObject, IStreamPosition, IWebSocketMessage } from '../protocol/types.js';
import {
  type TWebSocketClientConnectionState,
  WebSocketClientConnectionStates as States,
  WebSocketClientDefaults,
  WebSocketClientErrorCodes as ErrorCodes,
  WebSocketClientLifecycleEvents as Lifecycle,
} from './constants.js';
import { ClientConnection, type IConnectionEnd } from './connection.js';
import { WebSocketClientError } from './errors.js';
import { readServerError } from './frame.js';
import { ListenerRegistry } from './listeners.js';
import { PendingRequests } from './pending-requests.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';
import { RoomStreams } from './room-streams.js';
import { RoomMembership } from './rooms.js';
import { type IResolvedClientSettings, resolveClientSettings } from './settings.js';
import type {
  IWebSocketClientErrorEvent,
  IWebSocketClientHistory,
  IWebSocketClientIdentity,
  IWebSocketClientLifecycleEvents,
  IWebSocketClientOptions,
  IWebSocketRoomsAck,
  TWebSocketClientEventMap,
  TWebSocketClientHandler,
} from './types.js';

type TDeferred = { resolve: (identity: IWebSocketClientIdentity) => void; reject: (error: Error) => void };
type TSendArgs<T> = undefined extends T ? [data?: T] : [data: T];
/** Data of `<K>:reply` when the server map declares it, otherwise unknown. */
type TReplyOf<ServerEvents, K extends string> = `${K}:reply` extends keyof ServerEvents ? ServerEvents[`${K}:reply`] : unknown;

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** WebSocket client for browsers, Bun and Node: auth, heartbeat, reconnect, rooms, encryption. */
export class WebSocketClient<
  ServerEvents extends AnyObject = AnyObject,
  ClientEvents extends AnyObject = AnyObject,
> {
  private readonly settings: IResolvedClientSettings;
  private readonly listeners = new ListenerRegistry(({ event, error }) => this.reportHandlerError(event, error));
  private readonly requests = new PendingRequests();
  private readonly membership: RoomMembership;
  private readonly streams = new RoomStreams({
    deliver: message => this.dispatch(message),
    report: event => this.emit(Lifecycle.RECOVERY, event),
  });
  private connection: ClientConnection | null = null;
  private identity: IWebSocketClientIdentity | null = null;
  private currentState: TWebSocketClientConnectionState = States.IDLE;
  private waiter: { promise: Promise<IWebSocketClientIdentity>; deferred: TDeferred } | null = null;
  private readonly scheduler: ReconnectScheduler;
  private hasConnected = false;

  constructor(options: IWebSocketClientOptions) {
    this.settings = resolveClientSettings(options);
    this.scheduler = new ReconnectScheduler(this.settings.reconnect);
    this.membership = new RoomMembership({
      requests: this.requests,
      streams: this.streams,
      timeoutMs: this.settings.requestTimeoutMs,
      transmit: message => this.connection?.send(message) ?? false,
      describeState: () => this.currentState,
    });
  }

  /** Connection id from the server while open, else undefined. */
  get id(): string | undefined {
    return this.identity?.id;
  }

  /** User id from the server while open, else undefined. */
  get userId(): string | undefined {
    return this.identity?.userId;
  }

  /** Current connection state. */
  get state(): TWebSocketClientConnectionState {
    return this.currentState;
  }

  /** Rooms this client joined through `join()` (re-joined after a reconnect). */
  get rooms(): string[] {
    return this.membership.list();
  }

  /** Connects and authenticates; resolves on `connected`, rejects on 4003/4004/4007 or when retries run out. */
  connect(): Promise<IWebSocketClientIdentity> {
    if (this.currentState === States.OPEN && this.identity) return Promise.resolve({ ...this.identity });
    if (this.waiter) return this.waiter.promise;
    let deferred!: TDeferred;
    const promise = new Promise<IWebSocketClientIdentity>((resolve, reject) => (deferred = { resolve, reject }));
    this.waiter = { promise, deferred };
    if (this.currentState === States.IDLE || this.currentState === States.CLOSED) {
      this.hasConnected = false;
      this.scheduler.reset();
      this.currentState = States.CONNECTING;
      this.startAttempt();
    }
    return promise;
  }

  /** Closes for good (no reconnect); pending requests and `connect()` reject with CLOSED_BY_CLIENT. */
  close(): void {
    const wasActive = this.currentState !== States.IDLE && this.currentState !== States.CLOSED;
    const connection = this.connection;
    this.connection = null;
    connection?.dispose();
    const error = new WebSocketClientError({ message: 'Closed by the client', code: ErrorCodes.CLOSED_BY_CLIENT });
    this.stop(error);
    if (wasActive) {
      const code = WebSocketClientDefaults.NORMAL_CLOSE;
      this.emit(Lifecycle.DISCONNECTED, { code, reason: 'closed by client', willReconnect: false });
    }
  }

  /** Subscribes to a server or lifecycle event; returns the unsubscribe function. */
  on<K extends keyof TWebSocketClientEventMap<ServerEvents> & string>(
    event: K,
    handler: TWebSocketClientHandler<TWebSocketClientEventMap<ServerEvents>[K]>,
  ): () => void {
    return this.listeners.add(event, handler);
  }

  /** Removes one handler, or all handlers of the event when none is given. */
  off<K extends keyof TWebSocketClientEventMap<ServerEvents> & string>(
    event: K,
    handler?: TWebSocketClientHandler<TWebSocketClientEventMap<ServerEvents>[K]>,
  ): void {
    this.listeners.remove(event, handler);
  }

  /** Sends an event to the server; false (nothing sent) when not connected. */
  send<K extends keyof ClientEvents & string>(event: K, ...args: TSendArgs<ClientEvents[K]>): boolean {
    const message: IWebSocketMessage = args.length > 0 ? { event, data: args[0] } : { event };
    return this.connection?.send(message) ?? false;
  }

  /**
   * Sends a request to a typed server event and resolves with its reply (`<event>:reply` with
   * the same id). Rejects with a `WebSocketClientError` carrying the server's `error` for that
   * id — its `code`, `issues` (VALIDATION_FAILED) and `details` (`ctx.fail`) — on timeout
   * (`requestTimeoutMs` unless `timeoutMs` is given) or when the connection drops.
   */
  request<K extends keyof ClientEvents & string>(
    event: K,
    data: ClientEvents[K],
    opts: { timeoutMs?: number } = {},
  ): Promise<TReplyOf<ServerEvents, K>> {
    const connection = this.connection;
    if (!connection || this.currentState !== States.OPEN) {
      return Promise.reject(new WebSocketClientError({ message: `Not connected: cannot send '${event}'`, code: ErrorCodes.NOT_CONNECTED }));
    }
    const id = this.requests.nextId();
    const answer = this.requests.wait<TReplyOf<ServerEvents, K>>({ id, timeoutMs: opts.timeoutMs ?? this.settings.requestTimeoutMs, label: event });
    connection.send({ event, data, id });
    return answer;
  }

  /** Asks to join rooms; resolves with the server's answer (joined and refused rooms). */
  join(rooms: string[]): Promise<IWebSocketRoomsAck> {
    return this.membership.join(rooms);
  }

  /**
   * Reads a room's history (wiki/recovery.md): the newest `limit` messages (default and most
   * 1,000), or with `since` the ones after that position. Only for a room this client is a member
   * of: otherwise it rejects with `HISTORY_REFUSED`. Reading does not deliver to the handlers.
   */
  history(room: string, opts: { since?: IStreamPosition; limit?: number } = {}): Promise<IWebSocketClientHistory> {
    const connection = this.connection;
    if (!connection || this.currentState !== States.OPEN) {
      return Promise.reject(new WebSocketClientError({ message: `Not connected: cannot read the history of '${room}'`, code: ErrorCodes.NOT_CONNECTED }));
    }
    const id = this.requests.nextId();
    const answer = this.requests.wait<IWebSocketClientHistory>({ id, timeoutMs: this.settings.requestTimeoutMs, label: WebSocketEvents.HISTORY });
    connection.send({ event: WebSocketEvents.HISTORY, data: { room, ...opts }, id });
    return answer;
  }

  /** Asks to leave rooms; the rooms stop being re-joined after a reconnect either way. */
  leave(rooms: string[]): Promise<IWebSocketRoomsAck> {
    return this.membership.leave(rooms);
  }

  private startAttempt(): void {
    const { url, SocketImpl, auth, encryption, verifyServerKey, heartbeatIntervalMs } = this.settings;
    const connection: ClientConnection = new ClientConnection({
      url,
      SocketImpl,
      auth,
      encryption,
      verifyServerKey,
      heartbeatIntervalMs,
      hooks: {
        onReady: identity => this.connection === connection && this.handleReady(identity),
        onMessage: message => this.connection === connection && this.handleMessage(message),
        onError: error => this.connection === connection && this.emit(Lifecycle.ERROR, error),
        onEnd: end => this.connection === connection && this.handleEnd(end),
      },
    });
    this.connection = connection;
    void connection.start();
  }

  private handleReady(identity: IWebSocketClientIdentity): void {
    const isReconnect = this.hasConnected;
    this.hasConnected = true;
    this.scheduler.reset();
    this.identity = identity;
    this.currentState = States.OPEN;
    this.waiter?.deferred.resolve({ ...identity });
    this.waiter = null;
    this.emit(Lifecycle.CONNECTED, { ...identity });
    if (isReconnect) void this.rejoin(identity);
  }

  private async rejoin(identity: IWebSocketClientIdentity): Promise<void> {
    let ack: IWebSocketRoomsAck = { rooms: [], refused: [] };
    try {
      ack = await this.membership.rejoin();
    } catch (cause) {
      if (this.identity !== identity) return; // dropped again; the next connect re-joins
      const code = cause instanceof WebSocketClientError ? cause.code : ErrorCodes.CONNECTION_CLOSED;
      this.emit(Lifecycle.ERROR, { source: 'client', code, message: `Re-joining rooms failed: ${describe(cause)}`, cause });
    }
    if (this.identity !== identity) return;
    this.emit(Lifecycle.RECONNECTED, { ...identity, rejoined: ack.rooms, refused: ack.refused });
  }

  private handleMessage(message: IWebSocketMessage): void {
    switch (message.event) {
      case WebSocketEvents.JOINED:
      case WebSocketEvents.LEFT:
        return this.membership.applyAck(message);
      case WebSocketEvents.ERROR: {
        const error = readServerError(message);
        if (error.id) this.requests.reject(error.id, new WebSocketClientError(error));
        return this.emit(Lifecycle.ERROR, { source: 'server', ...error });
      }
      case WebSocketEvents.CONNECTED:
        return; // a repeated `connected` changes nothing
    }
    if (message.id !== undefined && message.event.endsWith(WebSocketDefaults.REPLY_SUFFIX) && this.requests.resolve(message.id, message.data)) return;
    // A message of a room with history: held while the room is being joined, dropped when already delivered.
    if (this.streams.accept(message)) this.dispatch(message);
  }

  /** Hands a server event (live or recovered) to the app's handlers. */
  private dispatch(message: IWebSocketMessage): void {
    if (Lifecycle.isValid(message.event)) {
      const text = `Dropped a server event named like the lifecycle event '${message.event}'`;
      return this.emit(Lifecycle.ERROR, { source: 'client', code: ErrorCodes.RESERVED_EVENT, message: text });
    }
    this.listeners.emit(message.event, message.data);
  }

  private handleEnd(end: IConnectionEnd): void {
    this.connection = null;
    this.identity = null;
    this.membership.dropInFlight();
    const reason = end.serverError?.message ?? end.reason;
    this.requests.rejectAll(
      new WebSocketClientError({ message: `Connection closed (${end.code})`, code: ErrorCodes.CONNECTION_CLOSED, closeCode: end.code }),
    );
    // 4003 / 4004: the same credentials fail again; 4007: the server disconnected this client on purpose.
    const fatal = end.code === WebSocketCloseCodes.AUTH_FAILED || end.code === WebSocketCloseCodes.ENCRYPTION_REQUIRED || end.code === WebSocketCloseCodes.KICKED;
    if ((end.retryable || !fatal) && this.scheduler.canRetry()) {
      this.currentState = States.RECONNECTING;
      this.emit(Lifecycle.DISCONNECTED, { code: end.code, reason, willReconnect: true });
      return this.scheduleReconnect();
    }
    const message = reason || `Connection closed with code ${end.code}`;
    const code = end.serverError?.code ?? ErrorCodes.CONNECTION_CLOSED;
    const { issues, details } = end.serverError ?? {};
    this.stop(new WebSocketClientError({ message, code, closeCode: end.code, issues, details }));
    this.emit(Lifecycle.DISCONNECTED, { code: end.code, reason, willReconnect: false });
  }

  private scheduleReconnect(): void {
    // The state may have changed inside a `disconnected` handler (e.g. the app called close()).
    if (this.currentState !== States.RECONNECTING) return;
    this.emit(Lifecycle.RECONNECTING, this.scheduler.schedule(() => this.startAttempt()));
  }

  /** Terminal state: no timers, no requests, no rooms; `connect()` waiters fail with `error`. */
  private stop(error: WebSocketClientError): void {
    this.identity = null;
    this.scheduler.cancel();
    this.requests.rejectAll(error);
    this.membership.clear();
    this.currentState = States.CLOSED;
    this.waiter?.deferred.reject(error);
    this.waiter = null;
  }

  private emit<K extends keyof IWebSocketClientLifecycleEvents>(event: K, data: IWebSocketClientLifecycleEvents[K]): void {
    this.listeners.emit(event, data);
  }

  private reportHandlerError(event: string, cause: unknown): void {
    if (event === Lifecycle.ERROR) return; // a failing error handler must not loop
    const message = `A handler of '${event}' failed: ${describe(cause)}`;
    this.emit(Lifecycle.ERROR, { source: 'client', code: ErrorCodes.HANDLER_FAILED, message, cause } satisfies IWebSocketClientErrorEvent);
  }
}
