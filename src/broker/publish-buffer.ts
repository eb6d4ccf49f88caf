import { getError, type Logger } from '@venizia/ignis-helpers';
import { LogThrottle } from '../logging/log-throttle.js';
import { WebSocketPublishErrorCodes, type TWebSocketPublishErrorCode } from '../protocol/index.js';
import type { IBrokerLimits } from './broker.js';
import type { IHistoryPolicy } from './history.js';

/** The connection a `PublishBuffer` writes to. */
export interface IPublishTransport {
  /** True when a command written now goes straight onto the connection. */
  isReady(): boolean;
  /** Writes one PUBLISH (with `history`: the history script that appends and publishes); settles with Redis's answer or when the connection fails it. */
  send(channel: string, raw: string, history?: IHistoryPolicy): Promise<unknown>;
  /** The connection stopped answering: drop it (failing what it holds) and reconnect. */
  reset(): void;
}

/** One publish held for Redis. */
interface IHeldPublish {
  channel: string;
  raw: string;
  /** Set for a publish that is also written to the channel's history. */
  history?: IHistoryPolicy;
  bytes: number;
  /** `performance.now()` when it was published: its timeout runs from there. */
  at: number;
  /** Whether the caller has had its answer (acknowledged or dropped). */
  answered: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type TDropCounts = Record<TWebSocketPublishErrorCode, number>;

const { BUFFER_FULL, TIMEOUT, LOST } = WebSocketPublishErrorCodes;

/** Redis answered with an error: the publish failed for a known reason, it was not dropped. */
const isReplyError = (error: unknown): error is Error => error instanceof Error && error.name === 'ReplyError';

/**
 * The outbound side of a Redis broker: every publish is held here until Redis acknowledges it,
 * and what is held is bounded in messages and bytes. While the connection is ready a publish is
 * written at once (pipelined); while it is not, publishes wait here in order and are written when
 * it is ready again (ioredis's own offline queue, which has no bound, is off). Every publish is
 * answered within `publishTimeout` of the call (a bound or timeout of 0 is none):
 * - acknowledged by Redis → resolves;
 * - the buffer already holds `maxBufferedMessages` or `maxBufferedBytes` → rejected at once, `PUBLISH_BUFFER_FULL`;
 * - not acknowledged in time → `PUBLISH_TIMEOUT`; if it was written, the connection has stopped
 *   answering, so everything written on it is dropped the same way and the connection is reset
 *   (this also frees what ioredis holds for it);
 * - the connection closed with it unanswered, or the broker stopped with it still waiting → `PUBLISH_LOST`.
 * Timed-out and lost publishes may still have reached Redis; the caller cannot know.
 * One warning is logged when dropping starts and one info line, with the counts by reason, when a
 * publish is acknowledged again with the buffer back under half its bounds.
 */
export class PublishBuffer {
  /** Waiting for the connection, oldest first; `head` is the next one; slots before it are emptied. */
  private queue: (IHeldPublish | undefined)[] = [];
  private head = 0;
  /** Written, unanswered and their caller still waiting; insertion order is age order. */
  private readonly inflight = new Set<IHeldPublish>();
  /** Everything held for Redis, the bounds apply to: queued, plus written until the connection settles them. */
  private messages = 0;
  private bytes = 0;
  private timer?: ReturnType<typeof setTimeout>;
  /** A stalled connection was reset: nothing is written to it until it is ready again (`flush()`). */
  private resetting = false;
  /** Since when publishes are being dropped, and how many by reason; undefined while all is well. */
  private episode?: { since: number; dropped: TDropCounts };
  private readonly logs: LogThrottle;

  constructor(
    private readonly transport: IPublishTransport,
    private readonly limits: IBrokerLimits,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /** Holds one publish (with `history`: a history write and publish, resolved with Redis's answer) until Redis answers it. */
  publish(channel: string, raw: string, history?: IHistoryPolicy): Promise<unknown> {
    const bytes = Buffer.byteLength(raw);
    if (this.over(this.messages + 1, this.bytes + bytes, 1)) return Promise.reject(this.dropped(BUFFER_FULL, 1));
    return new Promise<unknown>((resolve, reject) => {
      const entry: IHeldPublish = { channel, raw, bytes, at: performance.now(), answered: false, resolve, reject };
      if (history) entry.history = history;
      this.messages++;
      this.bytes += bytes;
      // Behind anything still waiting, so a node's publishes reach Redis in the order they were made.
      if (this.head === this.queue.length && this.writable()) this.write(entry);
      else this.queue.push(entry);
      this.arm();
    });
  }

  /** The connection is ready (again): writes what waited, in order. */
  flush(): void {
    this.resetting = false;
    while (this.head < this.queue.length && this.writable()) this.write(this.take());
    this.compact();
  }

  /** The broker stops: what still waits for the connection is dropped as lost; what was written settles with the connection. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = this.queue.slice(this.head).filter(entry => entry !== undefined);
    this.queue = [];
    this.head = 0;
    if (waiting.length === 0) return;
    const error = this.dropped(LOST, waiting.length);
    for (const entry of waiting) {
      this.release(entry);
      this.answer(entry, error);
    }
  }

  /** ioredis still reports a connection being reset as ready until its socket has closed. */
  private writable(): boolean {
    return !this.resetting && this.transport.isReady();
  }

  private write(entry: IHeldPublish): void {
    this.inflight.add(entry);
    this.transport.send(entry.channel, entry.raw, entry.history).then(
      (reply: unknown) => {
        this.release(entry);
        this.inflight.delete(entry);
        this.answer(entry, undefined, reply);
        this.acknowledged();
      },
      (error: unknown) => {
        this.release(entry);
        this.inflight.delete(entry);
        if (entry.answered) return;
        this.answer(entry, isReplyError(error) ? error : this.dropped(LOST, 1));
      },
    );
  }

  /** Answers the caller once: resolved without an error, rejected with one. */
  private answer(entry: IHeldPublish, error?: Error, reply?: unknown): void {
    if (entry.answered) return;
    entry.answered = true;
    if (error) entry.reject(error);
    else entry.resolve(reply);
  }

  private release(entry: IHeldPublish): void {
    this.messages--;
    this.bytes -= entry.bytes;
  }

  /** Whether `messages` / `bytes` pass `fraction` of the bounds (a bound of 0 is no bound). */
  private over(messages: number, bytes: number, fraction: number): boolean {
    const { maxBufferedMessages, maxBufferedBytes } = this.limits;
    return (maxBufferedMessages > 0 && messages > maxBufferedMessages * fraction) || (maxBufferedBytes > 0 && bytes > maxBufferedBytes * fraction);
  }

  /** One timer for the oldest publish still waiting (in flight or queued), never one per publish. */
  private arm(): void {
    if (this.timer || this.limits.publishTimeout <= 0) return;
    const first = this.inflight.values().next();
    const oldestWritten = first.done ? Infinity : first.value.at;
    const oldestQueued = this.head < this.queue.length ? this.queue[this.head]!.at : Infinity;
    const oldest = Math.min(oldestWritten, oldestQueued);
    if (oldest === Infinity) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, oldest + this.limits.publishTimeout - performance.now()));
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    const deadline = performance.now() - this.limits.publishTimeout;
    const first = this.inflight.values().next();
    if (!first.done && first.value.at <= deadline) {
      // Redis has not answered the oldest write in time: the connection has stalled (or is half
      // open). Everything written on it is dropped now; the reset fails it in ioredis too, which
      // is what releases it from the bounds.
      const stalled = [...this.inflight];
      this.inflight.clear();
      const error = this.dropped(TIMEOUT, stalled.length);
      for (const entry of stalled) this.answer(entry, error);
      this.resetting = true;
      this.transport.reset();
    }
    let expired = this.head;
    while (expired < this.queue.length && this.queue[expired]!.at <= deadline) expired++;
    if (expired > this.head) {
      const error = this.dropped(TIMEOUT, expired - this.head);
      while (this.head < expired) {
        const entry = this.take();
        this.release(entry);
        this.answer(entry, error);
      }
      this.compact();
    }
    this.arm();
  }

  /** The next queued publish, its slot emptied so nothing it holds outlives it. */
  private take(): IHeldPublish {
    const entry = this.queue[this.head]!;
    this.queue[this.head++] = undefined;
    return entry;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Counts `count` drops for `code` (logging once when dropping starts) and returns the error their callers get. */
  private dropped(code: TWebSocketPublishErrorCode, count: number): Error {
    const why = this.describe(code);
    if (!this.episode) {
      this.episode = { since: Date.now(), dropped: { [BUFFER_FULL]: 0, [TIMEOUT]: 0, [LOST]: 0 } };
      this.logs.warn(
        'publish-dropping',
        `cross-instance publishes are being dropped (${why}); other nodes miss them. Counted in getStats() ` +
          `(publishDroppedBufferFull / publishDroppedTimeout / publishDroppedLost); a line follows when publishing recovers.`,
      );
    }
    this.episode.dropped[code] += count;
    return getError({ message: `[PublishBuffer] cross-instance publish dropped: ${why}`, messageCode: code });
  }

  private describe(code: TWebSocketPublishErrorCode): string {
    const { maxBufferedMessages, maxBufferedBytes, publishTimeout } = this.limits;
    switch (code) {
      case BUFFER_FULL:
        return `the outbound buffer is full: ${this.messages} publishes / ${this.bytes} bytes wait for Redis (bounds ${maxBufferedMessages} / ${maxBufferedBytes}); Redis is slow or unreachable`;
      case TIMEOUT:
        return `Redis did not acknowledge within ${publishTimeout} ms; the connection is reset`;
      default:
        return 'the Redis connection closed before Redis acknowledged it';
    }
  }

  /** A publish went through; once the buffer is back under half its bounds, the episode is over. */
  private acknowledged(): void {
    const episode = this.episode;
    if (!episode) return;
    if (this.over(this.messages, this.bytes, 0.5)) return;
    this.episode = undefined;
    const d = episode.dropped;
    const total = d[BUFFER_FULL] + d[TIMEOUT] + d[LOST];
    const seconds = ((Date.now() - episode.since) / 1000).toFixed(1);
    this.logs.info(
      'publish-recovered',
      `cross-instance publishing recovered after ${seconds} s; ${total} publishes were dropped meanwhile ` +
        `(buffer full ${d[BUFFER_FULL]}, timed out ${d[TIMEOUT]}, lost ${d[LOST]})`,
    );
  }
}
