import type { IRedisSocketMessage, IStreamPosition, TRedisEnvelope } from '../protocol/index.js';
import type { IBrokerListener, IWebSocketBroker } from './broker.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import type { IHistoryPolicy, IHistoryQuery, IHistoryRead } from './history.js';
import { InMemoryHistory } from './history-memory.js';

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
  /** The process's channel histories: lost with the process, so a restarted node has new epochs. */
  readonly history = new InMemoryHistory();

  join(broker: InMemoryBroker): void {
    this.members.add(broker);
  }

  leave(broker: InMemoryBroker): void {
    this.members.delete(broker);
  }

  /** Appends to the channel's history and hands the message, with its position, to every listening broker (the sender's too). */
  publishWithHistory(channel: string, message: IRedisSocketMessage, policy: IHistoryPolicy): IStreamPosition {
    const pos = this.history.append(channel, message, policy);
    this.publish(channel, { ...message, pos }, undefined);
    return pos;
  }

  /** Hands the encoded message to every other listening broker; encodes only if there is one. */
  publish(channel: string, message: TRedisEnvelope, from: InMemoryBroker | undefined): void {
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

  async publish(channel: string, message: TRedisEnvelope): Promise<void> {
    this.hub.publish(channel, message, this);
  }

  async publishWithHistory(channel: string, message: IRedisSocketMessage, policy: IHistoryPolicy): Promise<IStreamPosition> {
    return this.hub.publishWithHistory(channel, message, policy);
  }

  async readHistory(channel: string, query: IHistoryQuery): Promise<IHistoryRead> {
    return this.hub.history.read(channel, query);
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

  /** No Redis here. */
  async isRedisUp(_timeoutMs: number): Promise<boolean | undefined> {
    return undefined;
  }

  async stop(): Promise<void> {
    this.hub.leave(this);
    this.listener = undefined;
  }
}
