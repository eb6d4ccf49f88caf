import type { Logger } from '@venizia/ignis-helpers';
import {
  
  WebSocketClientStates,
  WebSocketErrorCodes,
  WebSocketEvents,
  type AnyObject,
  type IWebSocketClient,
  type IWebSocketMessage,
  type TWebSocketErrorCode,
  type TWebSocketMessageHandler,
} from '../common';
import { LogThrottle } from '../common/log-throttle';
import type { AuthFlow } from './auth-flow';
import type { RoomRequests } from './room-requests';

/** What the router needs to answer a client. */
export interface IInboundRouterHost<MetadataType extends AnyObject> {
  sendError(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string): void;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Turns one inbound frame into one action: system events go to the auth flow or the room
 * requests, everything else to `messageHandler`. Every malformed frame is answered with an
 * `error` event and never throws out of Bun's callback; warnings about bad frames are
 * rate-limited by kind so a flood cannot grow the log.
 */
export class InboundRouter<AuthDataType extends AnyObject, MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly auth: AuthFlow<AuthDataType, MetadataType>,
    private readonly roomRequests: RoomRequests<MetadataType>,
    private readonly messageHandler: TWebSocketMessageHandler | undefined,
    private readonly host: IInboundRouterHost<MetadataType>,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  route(client: IWebSocketClient<MetadataType>, raw: string | Buffer): void {
    client.lastActivity = Date.now();
    const message = this.parse(client, raw);
    if (!message) return;
    const { event, data, id } = message;

    if (event === WebSocketEvents.HEARTBEAT) return;
    if (event === WebSocketEvents.AUTHENTICATE) {
      void this.guard(client, event, id, () => this.auth.authenticate(client, data, id));
      return;
    }
    if (client.state !== WebSocketClientStates.AUTHENTICATED) {
      this.host.sendError(client, WebSocketErrorCodes.NOT_AUTHENTICATED, 'Not authenticated: send an authenticate event first', id);
      return;
    }
    if (event === WebSocketEvents.JOIN || event === WebSocketEvents.LEAVE) {
      void this.guard(client, event, id, () => this.roomRequests.handle(client, event, data, id));
      return;
    }
    const handler = this.messageHandler;
    if (!handler) {
      this.host.sendError(client, WebSocketErrorCodes.UNKNOWN_EVENT, `Unknown event '${event.slice(0, 64)}'`, id);
      return;
    }
    void this.guard(client, event, id, () => handler({ clientId: client.id, userId: client.userId, message }));
  }

  /** Parses and validates the envelope; answers and returns undefined when it is malformed. */
  private parse(client: IWebSocketClient<MetadataType>, raw: string | Buffer): IWebSocketMessage | undefined {
    if (typeof raw !== 'string') {
      this.reject(client, WebSocketErrorCodes.BINARY_NOT_SUPPORTED, 'Binary frames are not supported; send JSON text');
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.reject(client, WebSocketErrorCodes.INVALID_JSON, 'Invalid JSON');
      return undefined;
    }
    if (!isPlainObject(parsed)) {
      this.reject(client, WebSocketErrorCodes.INVALID_MESSAGE, 'Message must be a JSON object { event, data?, id? }');
      return undefined;
    }
    const { event, data, id } = parsed;
    if (id !== undefined && typeof id !== 'string') {
      this.reject(client, WebSocketErrorCodes.INVALID_MESSAGE, "'id' must be a string when present");
      return undefined;
    }
    if (typeof event !== 'string' || event.length === 0) {
      this.reject(client, WebSocketErrorCodes.INVALID_MESSAGE, "'event' must be a non-empty string", id);
      return undefined;
    }
    return { event, data, id };
  }

  private reject(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string) {
    this.logs.warn(code, `${message} (client ${client.id})`);
    this.host.sendError(client, code, message, id);
  }

  /** Runs an async step; any throw becomes a HANDLER_ERROR event and one log line. */
  private async guard(client: IWebSocketClient<MetadataType>, event: string, id: string | undefined, step: () => unknown) {
    try {
      await step();
    } catch (error) {
      this.logs.error('handler-error', `handler for '${event.slice(0, 64)}' threw (client ${client.id}):`, error);
      if (client.state !== WebSocketClientStates.DISCONNECTED) {
        this.host.sendError(client, WebSocketErrorCodes.HANDLER_ERROR, 'The server failed to handle this message', id);
      }
    }
  }
}
