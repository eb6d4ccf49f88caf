/**
 * Reference counting and batching shared by the Redis brokers (single node and Cluster). Changes
 * made in one tick are applied as one subscribe and one unsubscribe call, netted, so a room that
 * empties and refills within a tick costs nothing.
 */
export abstract class InterestBroker {
  readonly tracksInterest = true;
  private readonly counts = new Map<string, number>();
  private readonly applied = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private inflight: Promise<void> = Promise.resolve();
  private pendingSets = 0;
  /** Apply change sets strictly one after another (Cluster: overlapping SUBSCRIBEs race ioredis's ready check). */
  protected serializeChanges = false;

  subscribe(channel: string): void {
    const count = (this.counts.get(channel) ?? 0) + 1;
    this.counts.set(channel, count);
    if (count === 1) this.markDirty(channel);
  }

  unsubscribe(channel: string): void {
    const count = this.counts.get(channel);
    if (count === undefined) return;
    if (count > 1) {
      this.counts.set(channel, count - 1);
      return;
    }
    this.counts.delete(channel);
    this.markDirty(channel);
  }

  getSubscribedChannels(): string[] {
    return [...this.applied];
  }

  async settled(): Promise<void> {
    this.flush();
    await this.inflight;
  }

  isSettled(): boolean {
    return !this.flushScheduled && this.dirty.size === 0 && this.pendingSets === 0;
  }

  /** Forgets every interest; used on stop. */
  protected resetInterest(): void {
    this.counts.clear();
    this.dirty.clear();
    this.applied.clear();
  }

  /** Marks a channel as always wanted (the broadcast channel). */
  protected pin(channel: string): void {
    this.subscribe(channel);
    this.flush();
  }

  /** Applies netted changes to the transport; resolves when acknowledged (never rejects). */
  protected abstract applyInterest(subscribe: string[], unsubscribe: string[]): Promise<void> | void;

  private markDirty(channel: string): void {
    this.dirty.add(channel);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.dirty.size === 0) return;
    const toSubscribe: string[] = [];
    const toUnsubscribe: string[] = [];
    for (const channel of this.dirty) {
      const wanted = this.counts.has(channel);
      const has = this.applied.has(channel);
      if (wanted && !has) {
        toSubscribe.push(channel);
        this.applied.add(channel);
      } else if (!wanted && has) {
        toUnsubscribe.push(channel);
        this.applied.delete(channel);
      }
    }
    this.dirty.clear();
    if (toSubscribe.length === 0 && toUnsubscribe.length === 0) return;
    this.pendingSets++;
    const apply = async () => {
      try {
        await this.applyInterest(toSubscribe, toUnsubscribe);
      } finally {
        this.pendingSets--;
      }
    };
    // Change sets normally go out at once, so a room's SUBSCRIBE never waits behind others.
    const applying = this.serializeChanges ? this.inflight.then(apply) : apply();
    this.inflight = Promise.all([this.inflight, applying]).then(() => undefined);
  }
}
