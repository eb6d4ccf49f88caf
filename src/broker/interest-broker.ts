/**
 * Reference counting and batching shared by the Redis brokers (single node and Cluster).
 *
 * Changes are netted per channel and applied as change sets, at most one set in flight at a time:
 * the first change after a quiet spell goes out at the end of its tick (one microtask later), and
 * every change made while that set waits for Redis joins the next set, sent the moment the first
 * is acknowledged. So a burst of connections costs one SUBSCRIBE per Redis round trip, not one per
 * connection; a lone join waits for its own round trip only, one made during a burst for at most
 * one more; and a room that empties and refills before its change went out costs nothing.
 */
export abstract class InterestBroker {
  readonly tracksInterest = true;
  /**
   * One entry per channel that is wanted or still subscribed on Redis, holding both facts in one
   * number: `references * 2 + (subscribed on Redis ? 1 : 0)`. A node holds two channels per
   * connection (its client and its user), so one map instead of a map and a set saves an entry
   * per channel.
   */
  private readonly state = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  /** The change set Redis has not acknowledged yet, if any. */
  private inflight?: Promise<void>;
  /** Resolved when the set after the one in flight is acknowledged (its changes are in `dirty` now). */
  private nextSet?: IDeferred;
  /** Changes marked so far, and how many of them Redis has acknowledged (or netted away). */
  private changes = 0;
  private acknowledged = 0;

  subscribe(channel: string): void {
    const value = (this.state.get(channel) ?? 0) + 2;
    this.state.set(channel, value);
    if (value >> 1 === 1) this.markDirty(channel);
  }

  unsubscribe(channel: string): void {
    const value = this.state.get(channel);
    if (value === undefined || value < 2) return;
    const left = value - 2;
    // No reference and not on Redis: nothing to remember.
    if (left === 0) this.state.delete(channel);
    else this.state.set(channel, left);
    if (left >> 1 === 0) this.markDirty(channel);
  }

  getSubscribedChannels(): string[] {
    const channels: string[] = [];
    for (const [channel, value] of this.state) if (value & 1) channels.push(channel);
    return channels;
  }

  /**
   * Resolves when every change made so far is acknowledged. Callers in one burst share one
   * promise: the set in flight's, or the next set's for changes that wait for it (made while a
   * set was in flight) — never one per caller, and never a set holding only later changes.
   */
  settled(): Promise<void> {
    this.flush();
    if (this.acknowledged === this.changes) return SETTLED;
    if (this.dirty.size > 0) return (this.nextSet ??= deferred()).promise;
    return this.inflight ?? SETTLED;
  }

  isSettled(): boolean {
    return this.acknowledged === this.changes;
  }

  /** Forgets every interest; used on stop. */
  protected resetInterest(): void {
    this.state.clear();
    this.dirty.clear();
    this.acknowledged = this.changes;
    this.nextSet?.resolve();
    this.nextSet = undefined;
  }

  /** Marks a channel as always wanted (the broadcast channel). */
  protected pin(channel: string): void {
    this.subscribe(channel);
    this.flush();
  }

  /** Applies netted changes to the transport; resolves when acknowledged (never rejects). */
  protected abstract applyInterest(subscribe: string[], unsubscribe: string[]): Promise<void> | void;

  private markDirty(channel: string): void {
    this.changes++;
    this.dirty.add(channel);
    // While a set is in flight, its acknowledgement flushes what gathered meanwhile.
    if (this.flushScheduled || this.inflight) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.inflight) return;
    const upTo = this.changes;
    const toSubscribe: string[] = [];
    const toUnsubscribe: string[] = [];
    for (const channel of this.dirty) {
      const value = this.state.get(channel) ?? 0;
      const wanted = value >= 2;
      const has = (value & 1) === 1;
      if (wanted && !has) {
        toSubscribe.push(channel);
        this.state.set(channel, value | 1);
      } else if (!wanted && has) {
        toUnsubscribe.push(channel);
        this.state.delete(channel);
      }
    }
    this.dirty.clear();
    const waiters = this.nextSet;
    this.nextSet = undefined;
    if (toSubscribe.length === 0 && toUnsubscribe.length === 0) {
      this.acknowledged = upTo;
      waiters?.resolve();
      return;
    }
    this.inflight = (async () => {
      try {
        await this.applyInterest(toSubscribe, toUnsubscribe);
      } finally {
        this.acknowledged = upTo;
        this.inflight = undefined;
        waiters?.resolve();
        this.flush();
      }
    })();
  }
}

const SETTLED: Promise<void> = Promise.resolve();

interface IDeferred {
  promise: Promise<void>;
  resolve(): void;
}

const deferred = (): IDeferred => {
  let resolve!: () => void;
  const promise = new Promise<void>(done => (resolve = done));
  return { promise, resolve };
};
