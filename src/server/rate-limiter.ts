import type { TResolvedRateLimit } from './options.js';

/** Verdict on one inbound frame. */
export type TRateVerdict = 'pass' | 'drop' | 'drop-and-tell' | 'close';

/** One client's token bucket; the fields sit on the client's record (`rateUpdatedAt` 0: not started). */
export interface IRateBucket {
  rateTokens: number;
  rateUpdatedAt: number;
  /** Frames dropped in the current abuse window. */
  rateDropped: number;
  rateWindowStart: number;
  /** When the client was last told it is over its limit. */
  rateToldAt: number;
}

const ABUSE_WINDOW_MS = 10_000;
const TELL_EVERY_MS = 1_000;

/**
 * Per-client token bucket over inbound frames. Frames past the bucket are dropped; the client
 * is told (`RATE_LIMITED`) at most once a second so the answers cannot become a flood of their
 * own; a client that keeps going past `closeAfterDropped` drops in 10 s is closed (4005).
 */
export class InboundRateLimiter {
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

  /** Takes one token from the client's bucket (a full bucket on its first frame). */
  check(bucket: IRateBucket, now: number): TRateVerdict {
    if (!this.enabled) return 'pass';
    if (bucket.rateUpdatedAt === 0) {
      bucket.rateTokens = this.burst;
      bucket.rateWindowStart = now;
    } else {
      bucket.rateTokens = Math.min(this.burst, bucket.rateTokens + (now - bucket.rateUpdatedAt) * this.perMs);
    }
    bucket.rateUpdatedAt = now;
    if (bucket.rateTokens >= 1) {
      bucket.rateTokens -= 1;
      return 'pass';
    }
    if (now - bucket.rateWindowStart > ABUSE_WINDOW_MS) {
      bucket.rateWindowStart = now;
      bucket.rateDropped = 0;
    }
    bucket.rateDropped++;
    if (bucket.rateDropped > this.closeAfter) return 'close';
    if (now - bucket.rateToldAt >= TELL_EVERY_MS) {
      bucket.rateToldAt = now;
      return 'drop-and-tell';
    }
    return 'drop';
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
