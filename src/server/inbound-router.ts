import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketClientStates, WebSocketCloseCodes, WebSocketErrorCodes, WebSocketEvents, type AnyObject, type IWebSocketMessage, type TWebSocketErrorCode } from '../protocol/index.js';
import { type IWebSocketClient, type TWebSocketMessageHandler } from './types.js';
import type { IClientRecord } from './client-registry.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { AuthFlow } from './auth-flow.js';
import { readEnvelope } from './envelope.js';
import { WebSocketEventError } from './event-error.js';
import type { ClientMessenger } from './messenger.js';
import type { InboundOpener, IOpenedFrameSink } from './inbound-opener.js';
import type { InboundRateLimiter } from './rate-limiter.js';
import type { HistoryRequests } from './history-requests.js';
import type { RoomRequests } from './room-requests.js';
import type { ServerTelemetry } from './telemetry.js';
import type { TypedEvents } from './typed-events.js';

/** The parts an inbound frame may be routed to. */
export interface IInboundRoutes<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  auth: AuthFlow<AuthDataType, MetadataType>;
  rooms: RoomRequests<MetadataType>;
  /** Client `history` requests (wiki/recovery.md). */
  history: HistoryRequests<MetadataType>;
  typedEvents: TypedEvents<MetadataType>;
  messageHandler?: TWebSocketMessageHandler;
  limiter: InboundRateLimiter;
  /** Counts frames received and frames dropped by the rate limit (metrics). */
  telemetry: ServerTelemetry;
  /** Opens the frames of encrypted clients when an `inboundTransformer` is configured. */
  inbound?: InboundOpener<MetadataType>;
}

/**
 * Turns one inbound frame into one action: rate limit first, then the nesting depth and the envelope (zod), then
 * system events to the auth flow or room requests, typed events to their handlers, anything
 * else to `messageHandler`. Every malformed frame is answered with an `error` event and never
 * throws out of Bun's callback; warnings are rate-limited by kind so a flood cannot grow the log.
 * A frame of an encrypted client is first opened by the `InboundOpener` (the app's
 * `inboundTransformer`), and what it carries goes the same way.
 */
export class InboundRouter<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly routes: IInboundRoutes<AuthDataType, MetadataType>,
    private readonly messenger: ClientMessenger<MetadataType>,
    logger: Logger,
    /** `protection.maxJsonDepth`: deeper frames are refused before they are parsed (0: no limit). */
    private readonly maxJsonDepth = 0,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /** Never throws: Bun's message callback must not carry an exception out of the server. */
  route(client: IClientRecord<MetadataType>, raw: string | Buffer): void {
    try {
      this.dispatch(client, raw);
    } catch (error) {
      this.logs.error('route-error', `routing a frame from client ${client.id} failed:`, error);
      this.messenger.error(client, WebSocketErrorCodes.HANDLER_ERROR, 'The server failed to handle this message');
    }
  }

  private dispatch(client: IClientRecord<MetadataType>, raw: string | Buffer): void {
    this.routes.telemetry.framesReceived++;
    const now = Date.now();
    client.lastActivity = now;
    if (!this.admit(client, now)) return;
    if (typeof raw !== 'string') {
      this.reject(client, WebSocketErrorCodes.BINARY_NOT_SUPPORTED, 'Binary frames are not supported; send JSON text');
      return;
    }
    const read = readEnvelope(raw, this.maxJsonDepth);
    if (!read.ok) {
      this.reject(client, read.code, read.message, read.id);
      return;
    }
    const message = read.message;
    if (message.event === WebSocketEvents.HEARTBEAT) return;
    if (client.encrypted && this.routes.inbound) {
      this.routes.inbound.open(client, message, this.opened);
      return;
    }
    this.dispatchMessage(client, message);
  }

  /** Where the frames of encrypted clients come back once opened, in arrival order. */
  private readonly opened: IOpenedFrameSink<MetadataType> = {
    route: (client, message) => this.dispatchMessage(client, message),
    refuse: (client, code, message, id) => this.reject(client, code, message, id),
  };

  /** One envelope, as it came or as opened: the auth flow, room requests, typed events or `messageHandler`. */
  private dispatchMessage(client: IClientRecord<MetadataType>, message: IWebSocketMessage): void {
    const { event, data, id } = message;
    if (event === WebSocketEvents.AUTHENTICATE) {
      void this.guard(client, event, id, () => this.routes.auth.authenticate(client, data, id));
      return;
    }
    if (client.state !== WebSocketClientStates.AUTHENTICATED) {
      this.messenger.error(client, WebSocketErrorCodes.NOT_AUTHENTICATED, 'Not authenticated: send an authenticate event first', id);
      return;
    }
    if (event === WebSocketEvents.JOIN || event === WebSocketEvents.LEAVE) {
      void this.guard(client, event, id, () => this.routes.rooms.handle(client, event, data, id));
      return;
    }
    if (event === WebSocketEvents.HISTORY) {
      void this.guard(client, event, id, () => this.routes.history.handle(client, data, id));
      return;
    }
    const typed = this.routes.typedEvents.get(event);
    if (typed) {
      void this.guard(client, event, id, () => this.routes.typedEvents.run(typed, client, data, id));
      return;
    }
    const handler = this.routes.messageHandler;
    if (!handler) {
      this.messenger.error(client, WebSocketErrorCodes.UNKNOWN_EVENT, `Unknown event '${event.slice(0, 64)}'`, id);
      return;
    }
    void this.guard(client, event, id, () => handler({ clientId: client.id, userId: client.userId, message }));
  }

  /** Applies the rate limit; false when the frame must not be processed. */
  private admit(client: IClientRecord<MetadataType>, now: number): boolean {
    const verdict = this.routes.limiter.check(client, now);
    if (verdict === 'pass') return true;
    this.routes.telemetry.rateLimited++;
    if (verdict === 'close') {
      this.logs.warn('rate-limit-close', `client ${client.id} kept flooding past its rate limit; closing with 4005`);
      client.socket.close(WebSocketCloseCodes.RATE_LIMITED, 'Rate limit exceeded');
      return false;
    }
    if (verdict === 'drop-and-tell') {
      this.logs.warn(WebSocketErrorCodes.RATE_LIMITED, `client ${client.id} is over its rate limit; dropping frames`);
      this.messenger.error(client, WebSocketErrorCodes.RATE_LIMITED, 'Too many messages; slow down');
    }
    return false;
  }

  private reject(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string) {
    this.logs.warn(code, `${message} (client ${client.id})`);
    this.messenger.error(client, code, message, id);
  }

  /** Runs an async step; any throw becomes a HANDLER_ERROR event and one log line with the stack. */
  private async guard(client: IWebSocketClient<MetadataType>, event: string, id: string | undefined, step: () => unknown) {
    try {
      await step();
    } catch (error) {
      if (error instanceof WebSocketEventError) {
        const extra = error.details === undefined ? undefined : { details: error.details };
        this.messenger.error(client, error.code as TWebSocketErrorCode, error.message, id, extra);
        return;
      }
      this.logs.error('handler-error', `handler for '${event.slice(0, 64)}' threw (client ${client.id}):`, error);
      if (client.state !== WebSocketClientStates.DISCONNECTED) {
        this.messenger.error(client, WebSocketErrorCodes.HANDLER_ERROR, 'The server failed to handle this message', id);
      }
    }
  }
}
