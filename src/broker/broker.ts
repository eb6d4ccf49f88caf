/**
 * Cross-instance transport behind one interface, one file per backend:
 * - `InMemoryBroker` (broker-memory.ts): one process, no Redis; tracks no interest, every
 *   message reaches every other broker of the process.
 * - `RedisBroker` (broker-redis.ts): one Redis server; interest-based (see interest-broker.ts).
 * - `RedisClusterBroker` (broker-redis-cluster.ts): a Redis Cluster; interest-based, over sharded
 *   pub/sub (SPUBLISH / SSUBSCRIBE), so a channel's messages touch only its shard.
 * Every broker encodes and validates its own wire envelope (envelope.ts): listeners receive
 * typed, validated messages only.
 */
import type { IRedisSocketMessage, IStreamPosition, TRedisEnvelope } from '../protocol/index.js';
import type { IHistoryPolicy, IHistoryQuery, IHistoryRead } from './history.js';

/** Receives what arrives on the channels a broker listens on. */
export interface IBrokerListener {
  /** A validated envelope or control command that arrived on `channel` (this node's own echoes included). */
  message(message: TRedisEnvelope, channel: string): void;
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
  publish(channel: string, message: TRedisEnvelope): Promise<void>;
  /**
   * Appends a room message to the channel's history and publishes it with its position, in one
   * atomic step (wiki/recovery.md); resolves with the position. Unlike `publish`, the message also
   * reaches this broker's own listener (carrying `pos`), so a node delivers its own history
   * messages in the order of the history. Settles within `publishTimeout` like `publish`.
   */
  publishWithHistory(channel: string, message: IRedisSocketMessage, policy: IHistoryPolicy): Promise<IStreamPosition>;
  /** Reads a channel's history (one stream read); creates the channel's epoch when it has none. */
  readHistory(channel: string, query: IHistoryQuery): Promise<IHistoryRead>;
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
  /**
   * Whether Redis is up: every connection `ready` and answering PING within `timeoutMs` (a hung
   * Redis keeps its connections `ready`). Undefined for a broker without Redis. Concurrent calls
   * share one probe.
   */
  isRedisUp(timeoutMs: number): Promise<boolean | undefined>;
  /** Unsubscribes everything and releases connections. */
  stop(): Promise<void>;
}
