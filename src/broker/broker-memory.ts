import { WebSocketChannels, type IRedisSocketMessage } from '../common';
import { InterestBroker, type IWebSocketBroker, type TBrokerMessageListener } from './broker';

/**
 * Channel registry shared by the in-memory brokers of one process. Every helper and emitter
 * created without a Redis connection meets here, so a one-process app needs no Redis.
 */
export class InMemoryHub {
  /** The process-wide hub used when none is given. */
  static readonly shared = new InMemoryHub();

  private readonly channels = new Map<string, Set<InMemoryBroker>>();

  attach(channel: string, broker: InMemoryBroker): void {
    let members = this.channels.get(channel);
    if (!members) this.channels.set(channel, (members = new Set()));
    members.add(broker);
  }

  detach(channel: string, broker: InMemoryBroker): void {
    const members = this.channels.get(channel);
    if (!members) return;
    members.delete(broker);
    if (members.size === 0) this.channels.delete(channel);
  }

  /** Delivers to every other subscriber of the channel; serialises only if there is one. */
  publish(channel: string, message: IRedisSocketMessage, from: InMemoryBroker): void {
    const members = this.channels.get(channel);
    if (!members) return;
    let raw: string | undefined;
    for (const member of members) {
      if (member === from) continue;
      raw ??= JSON.stringify(message);
      member.deliverLater(raw);
    }
  }
}

/** Broker for one process: same semantics as Redis pub/sub, delivered asynchronously. */
export class InMemoryBroker extends InterestBroker implements IWebSocketBroker {
  readonly kind = 'memory';
  private listener?: TBrokerMessageListener;

  constructor(private readonly hub: InMemoryHub = InMemoryHub.shared) {
    super();
  }

  async start(listener?: TBrokerMessageListener): Promise<void> {
    this.listener = listener;
    if (listener) this.pin(WebSocketChannels.BROADCAST);
  }

  async publish(channel: string, message: IRedisSocketMessage): Promise<void> {
    this.hub.publish(channel, message, this);
  }

  /** Called by the hub; async like a network hop so ordering assumptions match Redis. */
  deliverLater(raw: string): void {
    const listener = this.listener;
    if (listener) queueMicrotask(() => listener(raw));
  }

  async stop(): Promise<void> {
    for (const channel of this.getSubscribedChannels()) this.hub.detach(channel, this);
    this.resetInterest();
    this.listener = undefined;
  }

  protected applyInterest(subscribe: string[], unsubscribe: string[]): void {
    for (const channel of subscribe) this.hub.attach(channel, this);
    for (const channel of unsubscribe) this.hub.detach(channel, this);
  }
}
