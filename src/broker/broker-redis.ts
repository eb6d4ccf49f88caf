import { getError, type DefaultRedisHelper, type Logger } from '@venizia/ignis-helpers';
import { WebSocketChannels, type IRedisSocketMessage } from '../common';
import { LogThrottle } from '../common/log-throttle';
import { InterestBroker, type IWebSocketBroker, type TBrokerMessageListener } from './broker';
import { closeClient, connectClient, duplicateForPubSub, type TRedisClient } from './redis-connection';

/** `host:port` (or the cluster's startup nodes) of the app's Redis connection, for error messages. */
const describeTarget = (helper: DefaultRedisHelper): string => {
  const client = helper.getClient() as TRedisClient & { options?: { host?: string; port?: number }; startupNodes?: unknown[] };
  if ((client as { isCluster?: boolean }).isCluster) return `cluster ${JSON.stringify(client.startupNodes ?? [])}`;
  return `${client.options?.host ?? '?'}:${client.options?.port ?? '?'}`;
};

/**
 * Redis pub/sub broker: one connection publishes, one subscribes (only when a listener is
 * given). Channel names and the envelope are the contract's, so emitters of either
 * implementation interoperate. ioredis resubscribes on reconnect; publishes made while Redis
 * is away wait in the offline queue and go out when it is back.
 */
export class RedisBroker extends InterestBroker implements IWebSocketBroker {
  readonly kind = 'redis';
  private pub?: TRedisClient;
  private sub?: TRedisClient;
  private readonly logs: LogThrottle;

  constructor(
    private readonly redisConnection: DefaultRedisHelper,
    private readonly logger: Logger,
  ) {
    super();
    this.logs = new LogThrottle(logger);
  }

  async start(listener?: TBrokerMessageListener): Promise<void> {
    this.pub = this.watch(duplicateForPubSub(this.redisConnection), 'pub');
    this.serializeChanges = (this.pub as { isCluster?: boolean }).isCluster === true;
    const connecting = [connectClient(this.pub)];
    if (listener) {
      this.sub = this.watch(duplicateForPubSub(this.redisConnection), 'sub');
      this.sub.on('message', (_channel: string, raw: string) => listener(raw));
      connecting.push(connectClient(this.sub));
    }
    try {
      await Promise.all(connecting);
    } catch (error) {
      await this.stop();
      throw getError({
        message: `[RedisBroker] cannot reach Redis at ${describeTarget(this.redisConnection)} for WebSocket pub/sub (${String((error as Error)?.message ?? error).replace(/\.$/, '')}); check that redis-server is running and reachable`,
      });
    }
    if (listener) this.pin(WebSocketChannels.BROADCAST);
  }

  async publish(channel: string, message: IRedisSocketMessage): Promise<void> {
    if (!this.pub) throw new Error('RedisBroker.publish called before start()');
    await this.pub.publish(channel, JSON.stringify(message));
  }

  async stop(): Promise<void> {
    this.resetInterest();
    const clients = [this.pub, this.sub].filter((c): c is TRedisClient => c !== undefined);
    this.pub = undefined;
    this.sub = undefined;
    await Promise.all(clients.map(closeClient));
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
