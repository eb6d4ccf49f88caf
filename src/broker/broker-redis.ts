import { getError, type DefaultRedisHelper, type Logger } from '@venizia/ignis-helpers';
import { WebSocketChannels, type IRedisSocketMessage } from '../protocol/index.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { IBrokerLimits, IBrokerListener, IWebSocketBroker } from './broker.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { InterestBroker } from './interest-broker.js';
import { PublishBuffer } from './publish-buffer.js';
import {
  closeClient,
  connectClient,
  describeTarget,
  duplicateForPublish,
  duplicateForPubSub,
  type TRedisClient,
} from './redis-connection.js';

/**
 * Redis pub/sub broker: one connection publishes, one subscribes (only when a listener is
 * given), and the node subscribes only to the channels it hosts (interest-broker.ts). Channel
 * names and the envelope are the contract's, so emitters of either implementation interoperate.
 * ioredis resubscribes on reconnect. Publishes are held, bounded, until Redis acknowledges them
 * (publish-buffer.ts): while Redis is away they wait and go out in order when it is back; what
 * does not fit, or is not acknowledged within `publishTimeout`, is dropped and counted. `stop()`
 * waits at most `closeTimeout` for Redis, then drops the connections.
 */
export class RedisBroker extends InterestBroker implements IWebSocketBroker {
  readonly kind: string = 'redis';
  private pub?: TRedisClient;
  private sub?: TRedisClient;
  private outbound?: PublishBuffer;
  protected readonly logs: LogThrottle;

  constructor(
    private readonly redisConnection: DefaultRedisHelper,
    private readonly logger: Logger,
    private readonly limits: IBrokerLimits,
  ) {
    super();
    this.logs = new LogThrottle(logger);
  }

  async start(listener?: IBrokerListener): Promise<void> {
    const pub = (this.pub = this.watch(duplicateForPublish(this.redisConnection), 'pub'));
    const outbound = (this.outbound = new PublishBuffer(
      {
        isReady: () => pub.status === 'ready',
        send: (channel, raw) => pub.publish(channel, raw),
        reset: () => pub.disconnect(true),
      },
      this.limits,
      this.logger,
    ));
    pub.on('ready', () => outbound.flush());
    const connecting = [connectClient(pub)];
    if (listener) {
      this.sub = this.watch(duplicateForPubSub(this.redisConnection), 'sub');
      this.sub.on('message', (channel: string, raw: string) => {
        const message = decodeEnvelope(raw);
        if (message) listener.message(message, channel);
        else listener.malformed(channel, raw.length);
      });
      connecting.push(connectClient(this.sub));
    }
    try {
      await Promise.all(connecting);
    } catch (error) {
      await this.stop();
      throw getError({
        message: `[${this.constructor.name}] cannot reach Redis at ${describeTarget(this.redisConnection)} for WebSocket pub/sub (${String((error as Error)?.message ?? error).replace(/\.$/, '')}); check that redis-server is running and reachable`,
      });
    }
    if (listener) this.pin(WebSocketChannels.BROADCAST);
  }

  async publish(channel: string, message: IRedisSocketMessage): Promise<void> {
    if (!this.outbound) throw getError({ message: `[${this.constructor.name}] publish() called before start(); call configure() first.` });
    await this.outbound.publish(channel, encodeEnvelope(message));
  }

  async stop(): Promise<void> {
    this.resetInterest();
    // Publishes still waiting for a connection are dropped (lost); written ones settle as the connection closes.
    this.outbound?.stop();
    this.outbound = undefined;
    const clients = [this.pub, this.sub].filter((c): c is TRedisClient => c !== undefined);
    this.pub = undefined;
    this.sub = undefined;
    await Promise.all(clients.map(client => closeClient(client, this.limits.closeTimeout)));
  }

  protected async applyInterest(subscribe: string[], unsubscribe: string[]): Promise<void> {
    const sub = this.sub;
    if (!sub) return;
    const pending: Promise<unknown>[] = [];
    if (subscribe.length > 0) {
      pending.push(sub.subscribe(...subscribe).catch(error => this.logs.warn('redis-subscribe', `subscribe failed: ${error}`)));
    }
    if (unsubscribe.length > 0) {
      pending.push(sub.unsubscribe(...unsubscribe).catch(error => this.logs.warn('redis-unsubscribe', `unsubscribe failed: ${error}`)));
    }
    await Promise.all(pending);
  }

  private watch(client: TRedisClient, role: string): TRedisClient {
    client.on('error', (error: Error) => this.logs.warn(`redis-${role}-error`, `Redis ${role} connection: ${error.message}`));
    client.on('reconnecting', () => this.logs.warn(`redis-${role}-reconnecting`, `Redis ${role} connection lost; reconnecting`));
    client.on('ready', () => this.logger.info(`Redis ${role} connection ready`));
    return client;
  }
}
