import { BaseHelper, getError } from '@venizia/ignis-helpers';
import {
  createBroker,
  createPresenceStore,
  summarizePresence,
  type IPresenceStore,
  type IWebSocketBroker,
  type IWebSocketPresence,
} from '../broker/index.js';
import { buildDisconnectCommand, isReservedEvent } from '../broker/envelope.js';
import type { IHistoryPolicy } from '../broker/history.js';
import { WebSocketChannels, WebSocketDefaults, WebSocketMessageTypes, type IRedisSocketMessage } from '../protocol/index.js';
import { WEBSOCKET_SERVER_DEFAULTS, resolveBrokerOptions } from '../server/options.js';
import type { TWebSocketDisconnectOptions } from '../server/cluster-api.js';
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
  /** Read-only presence; its connection opens on the first `getPresence()`. */
  private readonly presence: IPresenceStore;
  private readonly historyFn: IWebSocketEmitterOptions['historyFn'];
  private started = false;

  constructor(opts: IWebSocketEmitterOptions) {
    super({ scope: WebSocketEmitter.name, identifier: opts.identifier ?? 'WebSocketEmitter' });
    const limits = resolveBrokerOptions(opts.broker);
    this.broker = createBroker({ redisConnection: opts.redisConnection, logger: this.logger, limits });
    const lease = WEBSOCKET_SERVER_DEFAULTS.presence.lease;
    const { publishTimeout: commandTimeout, closeTimeout } = limits;
    this.presence = createPresenceStore({ redisConnection: opts.redisConnection, logger: this.logger, lease, commandTimeout, closeTimeout });
    if (opts.historyFn && this.broker.kind === 'redis-cluster') {
      throw getError({
        message: `[${this.identifier}] [historyFn] room history is not available on a Redis Cluster yet; remove historyFn, or give the emitter and the nodes a single (non-cluster) Redis. See wiki/recovery.md`,
      });
    }
    this.historyFn = opts.historyFn;
  }

  /** Opens the single publishing connection. */
  async configure(): Promise<void> {
    if (this.started) return;
    await this.broker.start();
    await this.presence.start({ lazy: true });
    this.started = true;
  }

  /**
   * Beyond the contract: who is in a room on every node, as the helper's `getPresence` answers
   * (`{ room, connections, users: [{ userId, connections, info? }] }`). Opens a second Redis
   * connection on first use. Docs: wiki/presence.md
   */
  async getPresence(room: string | { room: string }): Promise<IWebSocketPresence> {
    const name = typeof room === 'string' ? room : room.room;
    return summarizePresence(name, await this.presence.members(name));
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

  /** With `historyFn` giving the room a history, the message goes into it, atomically with the publish (wiki/recovery.md). */
  toRoom(opts: { room: string; event: string; data: unknown; exclude?: string[] }): Promise<void> {
    const policy = this.historyFn?.(opts.room);
    return this.emit(
      WebSocketChannels.forRoom({ room: opts.room }),
      { type: WebSocketMessageTypes.ROOM, target: opts.room, event: opts.event, data: opts.data, exclude: opts.exclude },
      policy || undefined,
    );
  }

  broadcast(opts: { event: string; data: unknown; exclude?: string[] }): Promise<void> {
    return this.emit(WebSocketChannels.BROADCAST, {
      type: WebSocketMessageTypes.BROADCAST,
      event: opts.event,
      data: opts.data,
      exclude: opts.exclude,
    });
  }

  /**
   * Beyond the contract: closes a client's socket, or every socket of a user, on every node (a
   * kick from a worker), with `code` (default 4007, `WebSocketCloseCodes.KICKED`) and `reason`.
   * Published as a command on `ws:control`, which no client receives. Throws for a target that is
   * not exactly one of `clientId` / `userId`, a code outside 1000 / 3000–4999 or a reason over
   * 123 bytes; resolves and rejects like the other methods.
   */
  async disconnect(opts: TWebSocketDisconnectOptions): Promise<void> {
    const command = buildDisconnectCommand(WebSocketDefaults.EMITTER_SERVER_ID, opts);
    if (!this.started) await this.configure();
    await this.broker.publish(WebSocketChannels.CONTROL, command);
  }

  /** Releases the connection, waiting at most `broker.closeTimeout` for Redis to answer. */
  async shutdown(): Promise<void> {
    await Promise.all([this.broker.stop(), this.presence.stop()]);
    this.started = false;
  }

  /** Rejects protocol events (`connected`, `error`, `…:reply`…): every node would refuse them. */
  private async emit(channel: string, message: Omit<IRedisSocketMessage, 'serverId'>, history?: IHistoryPolicy): Promise<void> {
    if (isReservedEvent(message.event)) {
      throw getError({
        message: `[${this.identifier}] '${message.event}' is a protocol event and cannot be sent to clients; pick an application event name (not a built-in event, not ending in ':reply')`,
      });
    }
    if (!this.started) await this.configure();
    const envelope: IRedisSocketMessage = { serverId: WebSocketDefaults.EMITTER_SERVER_ID, ...message };
    if (history) await this.broker.publishWithHistory(channel, envelope, history);
    else await this.broker.publish(channel, envelope);
  }
}
