import type { Logger } from '@venizia/ignis-helpers';
import type { IBrokerListener, IWebSocketBroker } from '../broker';
import { LogThrottle } from '../logging/log-throttle';
import { WebSocketChannels, WebSocketMessageTypes, isClientIdShaped, type AnyObject, type IRedisSocketMessage } from '../protocol';
import type { Delivery } from './delivery';
import type { IWebSocketDeliveryStats } from './types';

/**
 * Receives validated envelopes from the broker, ignores this node's own echoes and hands the
 * rest straight to local delivery. Malformed messages were already dropped by the broker; here
 * they are counted and logged (rate-limited).
 */
export class CrossInstanceReceiver<MetadataType extends AnyObject> implements IBrokerListener {
  private readonly logs: LogThrottle;

  constructor(
    private readonly serverId: string,
    private readonly delivery: Delivery<MetadataType>,
    private readonly counters: Pick<IWebSocketDeliveryStats, 'received' | 'malformedInbound'>,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  malformed(channel: string, bytes: number): void {
    this.counters.received++;
    this.counters.malformedInbound++;
    this.logs.warn('malformed-channel-message', `dropped a malformed cross-instance message on ${channel.slice(0, 128)} (${bytes} bytes)`);
  }

  message(message: IRedisSocketMessage): void {
    this.counters.received++;
    if (message.serverId === this.serverId) return;
    const { event, data, exclude } = message;
    const target = message.target ?? '';
    try {
      switch (message.type) {
        case WebSocketMessageTypes.CLIENT:
          this.delivery.toClientId(target, event, data);
          break;
        case WebSocketMessageTypes.USER:
          this.delivery.toUser(target, event, data);
          break;
        case WebSocketMessageTypes.ROOM:
          // Rooms only: a client's own-id room is reached through the client channel.
          this.delivery.toRoom(target, event, data, exclude);
          break;
        default:
          this.delivery.toAll(event, data, exclude);
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
    private readonly counters: Pick<IWebSocketDeliveryStats, 'publishFailed'>,
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
