import { ApplicationError, type Logger } from '@venizia/ignis-helpers';
import type { IBrokerListener, IWebSocketBroker } from '../broker/index.js';
import type { IHistoryPolicy } from '../broker/history.js';
import { isControlMessage, routeInbound } from '../broker/envelope.js';
import { LogThrottle } from '../logging/log-throttle.js';
import { quoteForLog } from '../logging/log-text.js';
import {
  WebSocketChannels,
  WebSocketMessageTypes,
  WebSocketPublishErrorCodes,
  type AnyObject,
  type IRedisSocketMessage,
  type TRedisControlMessage,
  type TRedisEnvelope,
} from '../protocol/index.js';
import type { Delivery } from './delivery.js';
import type { LocalDisconnects } from './disconnects.js';
import type { ServerTelemetry } from './telemetry.js';
import type { IWebSocketDeliveryStats } from './types.js';


/**
 * Receives validated envelopes from the broker, ignores this node's own echoes and hands the
 * rest straight to local delivery. Anything that can publish on Redis can reach this point, so a
 * message goes where its CHANNEL says (`routeInbound`): one whose `type`/`target` disagree with
 * the channel, or that carries a protocol event (`connected`, `error`, `…:reply`…), is refused.
 * Malformed and refused messages are counted and logged (rate-limited). Control commands
 * (`ws:control`, e.g. disconnect) are carried out here and never reach a client.
 */
export class CrossInstanceReceiver<MetadataType extends AnyObject> implements IBrokerListener {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly delivery: Delivery<MetadataType>,
    private readonly counters: Pick<IWebSocketDeliveryStats, 'received' | 'malformedInbound' | 'refusedInbound'>,
    logger: Logger,
    private readonly disconnects: LocalDisconnects<MetadataType>,
  ) {
    this.logs = new LogThrottle(logger);
  }

  malformed(channel: string, bytes: number): void {
    this.counters.received++;
    this.counters.malformedInbound++;
    this.logs.warn('malformed-channel-message', `dropped a malformed cross-instance message on ${quoteForLog(channel)} (${bytes} bytes)`);
  }

  message(message: TRedisEnvelope, channel: string): void {
    this.counters.received++;
    // A history message comes back to its own node too: delivered here, in history order.
    if (message.serverId === this.serverId && (isControlMessage(message) || message.pos === undefined)) {
      this.delivery.telemetry.receivedOwn++;
      return;
    }
    const verdict = routeInbound(channel, message);
    if ('refused' in verdict) {
      this.counters.refusedInbound++;
      const what = isControlMessage(message) ? `action ${quoteForLog(message.action)}` : `event ${quoteForLog(message.event)}`;
      this.logs.warn(
        'refused-channel-message',
        `refused a cross-instance message on ${quoteForLog(channel)} (${verdict.refused}: type ${quoteForLog(message.type)}, ${what}, from ${quoteForLog(message.serverId)})`,
      );
      return;
    }
    if ('control' in verdict) {
      this.control(verdict.control);
      return;
    }
    if (isControlMessage(message)) return; // unreachable: routeInbound routes a command as 'control' or refuses it
    const { event, data, exclude, pos } = message;
    const { type, target = '' } = verdict.route;
    this.delivery.telemetry.received[type]++;
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
          this.delivery.toRoom(target, event, data, exclude, pos);
          break;
        default:
          this.delivery.toAll(event, data, exclude);
      }
    } catch (error) {
      this.logs.error('cross-instance-delivery', `delivering a cross-instance '${type}' message failed: ${error}`);
    }
  }

  /** A command from another node or an emitter; `disconnect` is the only action so far. */
  private control(command: TRedisControlMessage): void {
    this.disconnects.close(command, command.code, command.reason);
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
    private readonly telemetry: ServerTelemetry,
  ) {
    this.logs = new LogThrottle(logger);
  }

  broadcast(event: string, data: unknown, exclude?: string[]): void {
    const message: IRedisSocketMessage = { serverId: this.serverId, type: WebSocketMessageTypes.BROADCAST, event, data };
    if (exclude && exclude.length > 0) message.exclude = exclude;
    this.publish(WebSocketChannels.BROADCAST, message);
  }

  /**
   * A room message written to the room's history and published in one step (wiki/recovery.md).
   * Nothing is delivered before that: every node, this one included, delivers it when it comes
   * back from the broker with its position, so all members see a room's history messages in
   * history order. A publish that is dropped is in no history and reaches nobody.
   */
  roomWithHistory(room: string, event: string, data: unknown, exclude: string[] | undefined, policy: IHistoryPolicy): void {
    const message: IRedisSocketMessage = { serverId: this.serverId, type: WebSocketMessageTypes.ROOM, target: room, event, data };
    if (exclude && exclude.length > 0) message.exclude = exclude;
    this.publish(WebSocketChannels.forRoom({ room }), message, policy);
  }

  room(room: string, event: string, data: unknown, exclude?: string[]): void {
    const message: IRedisSocketMessage = { serverId: this.serverId, type: WebSocketMessageTypes.ROOM, target: room, event, data };
    if (exclude && exclude.length > 0) message.exclude = exclude;
    this.publish(WebSocketChannels.forRoom({ room }), message);
  }

  /** Every session of a user, on the nodes that host one (`ws:user:<id>`). */
  user(userId: string, event: string, data: unknown): void {
    this.publish(WebSocketChannels.forUser({ userId }), { serverId: this.serverId, type: WebSocketMessageTypes.USER, target: userId, event, data });
  }

  /** A command for every node, on `ws:control` (built and checked by `buildDisconnectCommand`). */
  control(command: TRedisControlMessage): void {
    this.publish(WebSocketChannels.CONTROL, command);
  }

  /** A client on another node: only ever as a client message, so no room can receive it. */
  client(clientId: string, event: string, data: unknown): void {
    this.publish(WebSocketChannels.forClient({ clientId }), { serverId: this.serverId, type: WebSocketMessageTypes.CLIENT, target: clientId, event, data });
  }

  private publish(channel: string, message: TRedisEnvelope, history?: IHistoryPolicy): void {
    this.counters.publishBuffered++;
    if (!isControlMessage(message)) this.telemetry.published[message.type]++;
    const started = performance.now();
    const sent = history && !isControlMessage(message) ? this.broker.publishWithHistory(channel, message, history) : this.broker.publish(channel, message);
    sent.then(
      () => {
        this.counters.publishBuffered--;
        this.telemetry.crossNodeDuration.observe((performance.now() - started) / 1000);
      },
      (error: unknown) => {
        this.counters.publishBuffered--;
        this.failed(channel, message, error);
      },
    );
  }

  private failed(channel: string, message: TRedisEnvelope, error: unknown): void {
    this.counters.publishFailed++;
    const dropped = error instanceof ApplicationError && error.messageCode ? DROP_COUNTERS.get(error.messageCode) : undefined;
    if (dropped) {
      this.counters[dropped]++;
      return;
    }
    const what = isControlMessage(message) ? message.action : message.event;
    this.logs.error('publish-failed', `cross-instance publish on ${quoteForLog(channel)} failed; remote nodes miss ${quoteForLog(what)}: ${error}`);
  }
}
