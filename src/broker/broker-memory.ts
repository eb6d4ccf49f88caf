import type { IRedisSocketMessage } from '../protocol/index.js';
import type { IBrokerListener, IWebSocketBroker } from './broker.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';

/**
 * The brokers of one process. Every helper and emitter created without a Redis connection
 * meets here, so a one-process app needs no Redis. Within a process there is nothing to save by
 * filtering on interest (a message handed to a node that hosts nobody costs a map lookup), while
 * tracking a channel per client would cost memory per connection, so every message goes to
 * every other broker and each node delivers to whatever it hosts.
 */
export class InMemoryHub {
  /** The process-wide hub used when none is given. */
  static readonly shared = new InMemoryHub();

  private readonly members = new Set<InMemoryBroker>();

  join(broker: InMemoryBroker): void {
    this.members.add(broker);
  }

  leave(broker: InMemoryBroker): void {
    this.members.delete(broker);
  }

  /** Hands the encoded message to every other listening broker; encodes only if there is one. */
  publish(channel: string, message: IRedisSocketMessage, from: InMemoryBroker): void {
    let raw: string | undefined;
    for (const member of this.members) {
      if (member === from) continue;
      raw ??= encodeEnvelope(message);
      member.deliverLater(channel, raw);
    }
  }
}

/**
 * Broker for one process: Redis pub/sub semantics (asynchronous, each node gets its own decoded
 * copy of the envelope) without Redis. Tracks no interest: see `InMemoryHub`.
 */
export class InMemoryBroker implements IWebSocketBroker {
  readonly kind = 'memory';
  readonly tracksInterest = false;
  private listener?: IBrokerListener;

  constructor(private readonly hub: InMemoryHub = InMemoryHub.shared) {}

  async start(listener?: IBrokerListener): Promise<void> {
    this.listener = listener;
    if (listener) this.hub.join(this);
  }

  async publish(channel: string, message: IRedisSocketMessage): Promise<void> {
    this.hub.publish(channel, message, this);
  }

  /** Called by the hub; async like a network hop so ordering assumptions match Redis. */
  deliverLater(channel: string, raw: string): void {
    const listener = this.listener;
    if (!listener) return;
    queueMicrotask(() => {
      const message = decodeEnvelope(raw);
      if (message) listener.message(message, channel);
      else listener.malformed(channel, raw.length);
    });
  }

  /** Interest is not tracked in one process (see `InMemoryHub`). */
  subscribe(_channel: string): void {}

  unsubscribe(_channel: string): void {}

  /** Subscribes to nothing: a listening in-memory broker receives everything published in the process. */
  getSubscribedChannels(): string[] {
    return [];
  }

  async settled(): Promise<void> {}

  isSettled(): boolean {
    return true;
  }

  async stop(): Promise<void> {
    this.hub.leave(this);
    this.listener = undefined;
  }
}
