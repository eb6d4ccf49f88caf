import type { Logger } from '@venizia/ignis-helpers';
import type { IWebSocketBroker } from '../broker';
import {
  WebSocketChannels,
  WebSocketMessageTypes,
  isClientIdShaped,
  type IRedisSocketMessage,
} from '../common';
import { LogThrottle } from '../common/log-throttle';

/** Local delivery entry points a cross-instance message is dispatched to. */
export interface ICrossInstanceTarget {
  sendToClient(opts: { clientId: string; event: string; data: unknown }): void;
  sendToUser(opts: { userId: string; event: string; data: unknown }): void;
  sendToRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): void;
  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): void;
}

/** Validates a raw channel message; undefined when it is not a well-formed envelope. */
export const parseEnvelope = (raw: string): IRedisSocketMessage | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const m = parsed as Record<string, unknown>;
  if (typeof m.serverId !== 'string' || typeof m.event !== 'string' || typeof m.type !== 'string') return undefined;
  if (!WebSocketMessageTypes.isValid(m.type)) return undefined;
  if (m.type !== WebSocketMessageTypes.BROADCAST && typeof m.target !== 'string') return undefined;
  if (m.exclude !== undefined && !(Array.isArray(m.exclude) && m.exclude.every(x => typeof x === 'string'))) {
    return undefined;
  }
  return m as unknown as IRedisSocketMessage;
};

/**
 * Receives messages from the broker: drops malformed ones (logged, rate-limited), ignores this
 * node's own echoes, and hands the rest to local delivery.
 */
export class CrossInstanceReceiver {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly target: ICrossInstanceTarget,
    private readonly counters: { received: number; malformedInbound: number },
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  receive(raw: string): void {
    this.counters.received++;
    const message = parseEnvelope(raw);
    if (!message) {
      this.counters.malformedInbound++;
      this.logs.warn('malformed-channel-message', `dropped a malformed cross-instance message (${raw.length} bytes)`);
      return;
    }
    if (message.serverId === this.serverId) return;
    const { event, data, target, exclude } = message;
    try {
      switch (message.type) {
        case WebSocketMessageTypes.CLIENT:
          this.target.sendToClient({ clientId: target!, event, data });
          break;
        case WebSocketMessageTypes.USER:
          this.target.sendToUser({ userId: target!, event, data });
          break;
        case WebSocketMessageTypes.ROOM:
          this.target.sendToRoom({ room: target!, event, data, exclude });
          break;
        default:
          this.target.broadcast({ event, data, exclude });
      }
    } catch (error) {
      this.logs.error('cross-instance-delivery', `delivering a cross-instance '${message.type}' message failed: ${error}`);
    }
  }
}

/**
 * Publishes what `send()` delivered locally, for the other nodes. Failures are counted and
 * logged, never thrown into the caller.
 */
export class CrossInstancePublisher {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly broker: IWebSocketBroker,
    private readonly counters: { publishFailed: number },
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  broadcast(event: string, data: unknown): void {
    this.publish(WebSocketChannels.BROADCAST, { serverId: this.serverId, type: WebSocketMessageTypes.BROADCAST, event, data });
  }

  /** A room, plus the client channel when the name has the shape of a client id on another node. */
  roomOrRemoteClient(destination: string, event: string, data: unknown): void {
    const base = { serverId: this.serverId, target: destination, event, data };
    this.publish(WebSocketChannels.forRoom({ room: destination }), { ...base, type: WebSocketMessageTypes.ROOM });
    if (isClientIdShaped(destination)) {
      this.publish(WebSocketChannels.forClient({ clientId: destination }), { ...base, type: WebSocketMessageTypes.CLIENT });
    }
  }

  private publish(channel: string, message: IRedisSocketMessage): void {
    this.broker.publish(channel, message).catch(error => {
      this.counters.publishFailed++;
      this.logs.error('publish-failed', `cross-instance publish on ${channel} failed; remote nodes miss '${message.event}': ${error}`);
    });
  }
}
