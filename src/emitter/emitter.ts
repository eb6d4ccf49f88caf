import { BaseHelper, getError } from '@venizia/ignis-helpers';
import { createBroker, type IWebSocketBroker } from '../broker/index.js';
import { isReservedEvent } from '../broker/envelope.js';
import { WebSocketChannels, WebSocketDefaults, WebSocketMessageTypes, type IRedisSocketMessage } from '../protocol/index.js';
import { resolveBrokerOptions } from '../server/options.js';
import { type IWebSocketEmitterOptions } from './types.js';

/**
 * Publish-only sender for processes that run no WebSocket server (workers, cron jobs, other
 * services). It publishes the contract's envelope with `serverId: 'emitter'`, so every node
 * delivers it; with interest-based subscriptions only the nodes hosting the target receive it.
 * Each method resolves once Redis acknowledged the message and rejects when it was dropped:
 * within `broker.publishTimeout` at the latest, with an `ApplicationError` whose `messageCode` is
 * one of `WebSocketPublishErrorCodes` (buffer full, timed out, lost), so a worker can retry.
 *
 * @example
 * const emitter = new WebSocketEmitter({ redisConnection: redis });
 * await emitter.configure();
 * await emitter.toUser({ userId: 'u1', event: 'job:progress', data: { pct: 40 } });
 */
export class WebSocketEmitter extends BaseHelper {
  private readonly broker: IWebSocketBroker;
  private started = false;

  constructor(opts: IWebSocketEmitterOptions) {
    super({ scope: WebSocketEmitter.name, identifier: opts.identifier ?? 'WebSocketEmitter' });
    this.broker = createBroker({ redisConnection: opts.redisConnection, logger: this.logger, limits: resolveBrokerOptions(opts.broker) });
  }

  /** Opens the single publishing connection. */
  async configure(): Promise<void> {
    if (this.started) return;
    await this.broker.start();
    this.started = true;
  }

  toClient(opts: { clientId: string; event: string; data: unknown }): Promise<void> {
    return this.emit(WebSocketChannels.forClient({ clientId: opts.clientId }), {
      type: WebSocketMessageTypes.CLIENT,
      target: opts.clientId,
      event: opts.event,
      data: opts.data,
    });
  }

  toUser(opts: { userId: string; event: string; data: unknown }): Promise<void> {
    return this.emit(WebSocketChannels.forUser({ userId: opts.userId }), {
      type: WebSocketMessageTypes.USER,
      target: opts.userId,
      event: opts.event,
      data: opts.data,
    });
  }

  toRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): Promise<void> {
    return this.emit(WebSocketChannels.forRoom({ room: opts.room }), {
      type: WebSocketMessageTypes.ROOM,
      target: opts.room,
      event: opts.event,
      data: opts.data,
      exclude: opts.exclude,
    });
  }

  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): Promise<void> {
    return this.emit(WebSocketChannels.BROADCAST, {
      type: WebSocketMessageTypes.BROADCAST,
      event: opts.event,
      data: opts.data,
      exclude: opts.exclude,
    });
  }

  /** Releases the connection, waiting at most `broker.closeTimeout` for Redis to answer. */
  async shutdown(): Promise<void> {
    await this.broker.stop();
    this.started = false;
  }

  /** Rejects protocol events (`connected`, `error`, `…:reply`…): every node would refuse them. */
  private async emit(channel: string, message: Omit<IRedisSocketMessage, 'serverId'>): Promise<void> {
    if (isReservedEvent(message.event)) {
      throw getError({
        message: `[${this.identifier}] '${message.event}' is a protocol event and cannot be sent to clients; pick an application event name (not a built-in event, not ending in ':reply')`,
      });
    }
    if (!this.started) await this.configure();
    await this.broker.publish(channel, { serverId: WebSocketDefaults.EMITTER_SERVER_ID, ...message });
  }
}
