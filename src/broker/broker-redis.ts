import { getError, type DefaultRedisHelper, type Logger } from '@venizia/ignis-helpers';
import { WebSocketChannels, type IRedisSocketMessage, type IStreamPosition, type TRedisEnvelope } from '../protocol/index.js';
import type { IHistoryPolicy, IHistoryQuery, IHistoryRead } from './history.js';
import { APPEND_SCRIPT, READ_SCRIPT, decodeRead, historyKeys, newEpoch } from './history-redis-scripts.js';
import { RedisScript } from './presence-redis-scripts.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { IBrokerLimits, IBrokerListener, IWebSocketBroker } from './broker.js';
import { decodeEnvelope, encodeEnvelope, isControlMessage } from './envelope.js';

const APPEND = new RedisScript(APPEND_SCRIPT);
const READ = new RedisScript(READ_SCRIPT);

/** A stored history entry: a client message (commands never go to history). */
const decodeStored = (raw: string): IRedisSocketMessage | undefined => {
  const message = decodeEnvelope(raw);
  return message && !isControlMessage(message) ? message : undefined;
};
import { InterestBroker } from './interest-broker.js';
import { PublishBuffer } from './publish-buffer.js';
import { probeRedis } from './redis-probe.js';
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
  protected sub?: TRedisClient;
  private outbound?: PublishBuffer;
  private probing?: Promise<boolean>;
  protected readonly logs: LogThrottle;

  constructor(
    protected readonly redisConnection: DefaultRedisHelper,
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
        send: (channel, raw, history) => (history ? this.appendOn(pub, channel, raw, history) : this.publishOn(pub, channel, raw)),
        reset: () => pub.disconnect(true),
      },
      this.limits,
      this.logger,
    ));
    // The history script is loaded ahead of what waited, so its EVALSHAs keep their order.
    pub.on('ready', () => {
      APPEND.load(pub);
      outbound.flush();
    });
    const connecting = [connectClient(pub)];
    if (listener) {
      this.sub = this.watch(this.openSubscriber(), 'sub');
      this.sub.on(this.messageEvent, (channel: string, raw: string) => {
        const message = decodeEnvelope(raw);
        if (message) listener.message(message, channel);
        else listener.malformed(channel, raw.length);
      });
      connecting.push(this.connectSubscriber(this.sub));
    }
    try {
      await Promise.all(connecting);
    } catch (error) {
      await this.stop();
      throw getError({
        message: `[${this.constructor.name}] cannot reach Redis at ${describeTarget(this.redisConnection)} for WebSocket pub/sub (${String((error as Error)?.message ?? error).replace(/\.$/, '')}); check that redis-server is running and reachable`,
      });
    }
    try {
      await this.checkServer(pub);
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (listener) this.pin(WebSocketChannels.BROADCAST);
  }

  async publish(channel: string, message: TRedisEnvelope): Promise<void> {
    if (!this.outbound) throw getError({ message: `[${this.constructor.name}] publish() called before start(); call configure() first.` });
    await this.outbound.publish(channel, encodeEnvelope(message));
  }

  async publishWithHistory(channel: string, message: IRedisSocketMessage, policy: IHistoryPolicy): Promise<IStreamPosition> {
    if (!this.outbound) throw getError({ message: `[${this.constructor.name}] publishWithHistory() called before start(); call configure() first.` });
    const reply = await this.outbound.publish(channel, encodeEnvelope(message), policy);
    const [offset, epoch] = Array.isArray(reply) ? reply : [];
    return { offset: String(offset), epoch: String(epoch) };
  }

  async readHistory(channel: string, query: IHistoryQuery): Promise<IHistoryRead> {
    const pub = this.pub;
    if (!pub) throw getError({ message: `[${this.constructor.name}] readHistory() called before start(); call configure() first.` });
    const reply = await READ.run(pub, historyKeys(channel), [newEpoch(), query.policy.ttlSeconds * 1000, query.after ?? '', query.limit ?? 0]);
    return decodeRead(reply, decodeStored);
  }

  /** Both connections (publish, and subscribe when listening) ready and answering PING within `timeoutMs`; false before start and after stop. */
  isRedisUp(timeoutMs: number): Promise<boolean> {
    this.probing ??= probeRedis(this.sub ? [this.pub, this.sub] : [this.pub], timeoutMs).finally(() => {
      this.probing = undefined;
    });
    return this.probing;
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

  /** The event the subscriber connection emits for a message (`RedisClusterBroker`: sharded pub/sub). */
  protected readonly messageEvent: string = 'message';

  protected openSubscriber(): TRedisClient {
    return duplicateForPubSub(this.redisConnection);
  }

  protected connectSubscriber(sub: TRedisClient): Promise<void> {
    return connectClient(sub);
  }

  /** Throws when the server cannot serve this broker (`RedisClusterBroker`: sharded pub/sub needs Redis 7). */
  protected async checkServer(_pub: TRedisClient): Promise<void> {}

  /** The history script: XADD and PUBLISH (`publishCommand`) in one step. */
  protected appendOn(pub: TRedisClient, channel: string, raw: string, policy: IHistoryPolicy): Promise<unknown> {
    return APPEND.run(pub, historyKeys(channel), [newEpoch(), policy.ttlSeconds * 1000, policy.size, raw, channel, this.publishCommand]);
  }

  /** The command the history script publishes with (`RedisClusterBroker`: SPUBLISH). */
  protected readonly publishCommand: string = 'PUBLISH';

  protected publishOn(pub: TRedisClient, channel: string, raw: string): Promise<unknown> {
    return pub.publish(channel, raw);
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
