import type { TResolvedRateLimit } from './options.js';

/** Verdict on one inbound frame. */
export type TRateVerdict = 'pass' | 'drop' | 'drop-and-tell' | 'close';

interface IBucket {
  tokens: number;
  updatedAt: number;
  dropped: number;
  windowStart: number;
  toldAt: number;
}

const ABUSE_WINDOW_MS = 10_000;
const TELL_EVERY_MS = 1_000;

/**
 * Per-client token bucket over inbound frames. Frames past the bucket are dropped; the client
 * is told (`RATE_LIMITED`) at most once a second so the answers cannot become a flood of their
 * own; a client that keeps going past `closeAfterDropped` drops in 10 s is closed (4005).
 */
export class InboundRateLimiter {
  private readonly buckets = new Map<string, IBucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly closeAfter: number;
  readonly enabled: boolean;

  constructor(options: TResolvedRateLimit) {
    this.enabled = options !== false;
    this.perMs = options ? options.perSecond / 1000 : 0;
    this.burst = options ? options.burst : 0;
    this.closeAfter = options ? options.closeAfterDropped : 0;
  }

  check(clientId: string, now: number): TRateVerdict {
    if (!this.enabled) return 'pass';
    let bucket = this.buckets.get(clientId);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAt: now, dropped: 0, windowStart: now, toldAt: 0 };
      this.buckets.set(clientId, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'pass';
    }
    if (now - bucket.windowStart > ABUSE_WINDOW_MS) {
      bucket.windowStart = now;
      bucket.dropped = 0;
    }
    bucket.dropped++;
    if (bucket.dropped > this.closeAfter) return 'close';
    if (now - bucket.toldAt >= TELL_EVERY_MS) {
      bucket.toldAt = now;
      return 'drop-and-tell';
    }
    return 'drop';
  }

  forget(clientId: string): void {
    this.buckets.delete(clientId);
  }
}

/** Sockets per client address (open ones, or not yet authenticated ones), checked at upgrade time. */
export class ConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  get enabled(): boolean {
    return this.max > 0;
  }

  /** Reserves a slot for `ip`; false when the address is at its cap. */
  tryAcquire(ip: string | undefined): boolean {
    if (this.max <= 0 || !ip) return true;
    const count = this.open.get(ip) ?? 0;
    if (count >= this.max) return false;
    this.open.set(ip, count + 1);
    return true;
  }

  release(ip: string | undefined): void {
    if (this.max <= 0 || !ip) return;
    const count = (this.open.get(ip) ?? 1) - 1;
    if (count <= 0) this.open.delete(ip);
    else this.open.set(ip, count);
  }
}
