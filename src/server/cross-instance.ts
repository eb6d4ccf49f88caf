import { ApplicationError, type Logger } from '@venizia/ignis-helpers';
import type { IBrokerListener, IWebSocketBroker } from '../broker/index.js';
import { routeInbound } from '../broker/envelope.js';
import { LogThrottle } from '../logging/log-throttle.js';
import {
  WebSocketChannels,
  WebSocketMessageTypes,
  WebSocketPublishErrorCodes,
  type AnyObject,
  type IRedisSocketMessage,
} from '../protocol/index.js';
import type { Delivery } from './delivery.js';
import type { IWebSocketDeliveryStats } from './types.js';

/** A string from the wire, quoted and cut to 128 characters (LogThrottle escapes what is left of it). */
const forLog = (text: string): string => JSON.stringify(text.length > 128 ? `${text.slice(0, 128)}…` : text);

/**
 * Receives validated envelopes from the broker, ignores this node's own echoes and hands the
 * rest straight to local delivery. Anything that can publish on Redis can reach this point, so a
 * message goes where its CHANNEL says (`routeInbound`): one whose `type`/`target` disagree with
 * the channel, or that carries a protocol event (`connected`, `error`, `…:reply`…), is refused.
 * Malformed and refused messages are counted and logged (rate-limited).
 */
export class CrossInstanceReceiver<MetadataType extends AnyObject> implements IBrokerListener {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly delivery: Delivery<MetadataType>,
    private readonly counters: Pick<IWebSocketDeliveryStats, 'received' | 'malformedInbound' | 'refusedInbound'>,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  malformed(channel: string, bytes: number): void {
    this.counters.received++;
    this.counters.malformedInbound++;
    this.logs.warn('malformed-channel-message', `dropped a malformed cross-instance message on ${forLog(channel)} (${bytes} bytes)`);
  }

  message(message: IRedisSocketMessage, channel: string): void {
    this.counters.received++;
    if (message.serverId === this.serverId) return;
    const verdict = routeInbound(channel, message);
    if ('refused' in verdict) {
      this.counters.refusedInbound++;
      this.logs.warn(
        'refused-channel-message',
        `refused a cross-instance message on ${forLog(channel)} (${verdict.refused}: type ${forLog(message.type)}, event ${forLog(message.event)}, from ${forLog(message.serverId)})`,
      );
      return;
    }
    const { event, data, exclude } = message;
    const { type, target = '' } = verdict.route;
    try {
      switch (type) {
        case WebSocketMessageTypes.CLIENT:
          this.delivery.toClientId(target, event, data);
          break;
        case WebSocketMessageTypes.USER:
          this.delivery.toUser(target, event, data);
          break;
        case WebSocketMessageTypes.ROOM:
          // Rooms only: client-addressed messages travel on the client channel, never as a room.
          this.delivery.toRoom(target, event, data, exclude);
          break;
        default:
          this.delivery.toAll(event, data, exclude);
      }
    } catch (error) {
      this.logs.error('cross-instance-delivery', `delivering a cross-instance '${type}' message failed: ${error}`);
    }
  }
}

/** The counters a publisher keeps. */
type TPublishCounters = Pick<
  IWebSocketDeliveryStats,
  'publishFailed' | 'publishDroppedBufferFull' | 'publishDroppedTimeout' | 'publishDroppedLost' | 'publishBuffered'
>;

/** The counter of each reason the broker drops a publish for. */
const DROP_COUNTERS = new Map<string, keyof TPublishCounters>([
  [WebSocketPublishErrorCodes.BUFFER_FULL, 'publishDroppedBufferFull'],
  [WebSocketPublishErrorCodes.TIMEOUT, 'publishDroppedTimeout'],
  [WebSocketPublishErrorCodes.LOST, 'publishDroppedLost'],
]);

/**
 * Publishes what `send()` delivered locally, for the other nodes. Failures are counted, never
 * thrown into the caller: drops by reason (the broker logs them once when dropping starts and
 * once when it stops), anything else also logged here (rate-limited).
 */
export class CrossInstancePublisher {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly broker: IWebSocketBroker,
    private readonly counters: TPublishCounters,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  broadcast(event: string, data: unknown): void {
    this.publish(WebSocketChannels.BROADCAST, { serverId: this.serverId, type: WebSocketMessageTypes.BROADCAST, event, data });
  }

  room(room: string, event: string, data: unknown): void {
    this.publish(WebSocketChannels.forRoom({ room }), { serverId: this.serverId, type: WebSocketMessageTypes.ROOM, target: room, event, data });
  }

  /** A client on another node: only ever as a client message, so no room can receive it. */
  client(clientId: string, event: string, data: unknown): void {
    this.publish(WebSocketChannels.forClient({ clientId }), { serverId: this.serverId, type: WebSocketMessageTypes.CLIENT, target: clientId, event, data });
  }

  private publish(channel: string, message: IRedisSocketMessage): void {
    this.counters.publishBuffered++;
    this.broker.publish(channel, message).then(
      () => {
        this.counters.publishBuffered--;
      },
      (error: unknown) => {
        this.counters.publishBuffered--;
        this.failed(channel, message, error);
      },
    );
  }

  private failed(channel: string, message: IRedisSocketMessage, error: unknown): void {
    this.counters.publishFailed++;
    const dropped = error instanceof ApplicationError && error.messageCode ? DROP_COUNTERS.get(error.messageCode) : undefined;
    if (dropped) {
      this.counters[dropped]++;
      return;
    }
    this.logs.error('publish-failed', `cross-instance publish on ${forLog(channel)} failed; remote nodes miss ${forLog(message.event)}: ${error}`);
  }
}
