/**
 * Cross-instance transport behind one interface, one file per backend:
 * - `InMemoryBroker` (broker-memory.ts): one process, no Redis; tracks no interest, every
 *   message reaches every other broker of the process.
 * - `RedisBroker` (broker-redis.ts): one Redis server; interest-based (see interest-broker.ts).
 * - `RedisClusterBroker` (broker-redis-cluster.ts): a Redis Cluster; interest-based, subscription
 *   changes applied one at a time.
 * Every broker encodes and validates its own wire envelope (envelope.ts): listeners receive
 * typed, validated messages only.
 */
import type { IRedisSocketMessage } from '../protocol/index.js';

/** Receives what arrives on the channels a broker listens on. */
export interface IBrokerListener {
  /** A validated envelope that arrived on `channel` (this node's own echoes included). */
  message(message: IRedisSocketMessage, channel: string): void;
  /** Something arrived on `channel` that is not a valid envelope; it has been dropped. */
  malformed(channel: string, bytes: number): void;
}

/**
 * How much a Redis broker may hold for Redis and how long it waits for it (resolved: every
 * field set; the defaults and their docs are in server/options.ts, `broker` group).
 */
export interface IBrokerLimits {
  /** Publishes waiting for Redis (sent and unacknowledged, or queued while it is away) before new ones are dropped. */
  maxBufferedMessages: number;
  /** Encoded bytes of those publishes before new ones are dropped. */
  maxBufferedBytes: number;
  /** ms Redis has to acknowledge a publish; past it the publish is dropped and a stalled connection reset. */
  publishTimeout: number;
  /** ms `stop()` waits for Redis to answer QUIT before dropping the connections. */
  closeTimeout: number;
}

/** The transport a `WebSocketServerHelper` or `WebSocketEmitter` publishes and subscribes through. */
export interface IWebSocketBroker {
  /** `'memory'`, `'redis'` or `'redis-cluster'`, for logs and diagnostics. */
  readonly kind: string;
  /** Whether `subscribe`/`unsubscribe` do anything (the in-process broker needs no interest). */
  readonly tracksInterest: boolean;
  /** Connects; with a listener also starts receiving (a publish-only broker has none). */
  start(listener?: IBrokerListener): Promise<void>;
  /**
   * Encodes and publishes an envelope; resolves when the transport accepted it. A Redis broker
   * settles every publish within `publishTimeout`: rejected with a `WebSocketPublishErrorCodes`
   * `messageCode` when it was dropped (buffer full, timed out, lost with the connection).
   */
  publish(channel: string, message: IRedisSocketMessage): Promise<void>;
  /** Adds one reference to a channel; the first one subscribes. */
  subscribe(channel: string): void;
  /** Drops one reference; the last one unsubscribes. */
  unsubscribe(channel: string): void;
  /** Channels currently subscribed on the transport (after batching); empty when interest is not tracked. */
  getSubscribedChannels(): string[];
  /** Resolves when every subscription change made so far has been acknowledged by the transport. */
  settled(): Promise<void>;
  /** True when no subscription change is waiting to be applied or acknowledged (lets callers skip awaiting). */
  isSettled(): boolean;
  /** Unsubscribes everything and releases connections. */
  stop(): Promise<void>;
}
