/**
 * Counts the bench frames of one phase in one process and records their latency (receive − send
 * stamp); `mergeOutcomes` combines the phases of several processes into one measure.
 */
import { nowMs, readSendTime } from '../lib/protocol';
import { percentile } from '../lib/stats';

/** One process's side of a phase; times are `nowMs()` (comparable across processes on one host). */
export interface ISinkOutcome {
  received: number;
  expected: number;
  startedAt: number;
  /** When the last frame arrived (`startedAt` when none did). */
  lastAt: number;
  /** One latency sample per received frame (empty without latency). */
  latencies: Float64Array;
}

/** Results of one phase over all processes. */
export interface IPhaseOutcome {
  received: number;
  expected: number;
  /** From the earliest `start()` to the last frame in any process, ms. */
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Frame counter; `match` picks the frames that belong to the measure. */
export class DeliverySink {
  private expected = 0;
  private received = 0;
  private startedAt = 0;
  private lastAt = 0;
  private latencies = new Float64Array(0);
  private waiter?: () => void;

  constructor(
    private match: string,
    private readonly withLatency: boolean,
  ) {}

  /** Counts only frames containing `match` from now on. */
  retarget(match: string): void {
    this.match = match;
  }

  /** Starts a phase expecting `expected` frames. */
  start(expected: number): void {
    this.expected = expected;
    this.received = 0;
    this.startedAt = nowMs();
    this.lastAt = this.startedAt;
    if (this.withLatency && this.latencies.length < expected) this.latencies = new Float64Array(expected);
  }

  /** Feeds one frame. */
  frame = (text: string): void => {
    if (text.indexOf(this.match) < 0 || this.received >= this.expected) return;
    const now = nowMs();
    if (this.withLatency) this.latencies[this.received] = now - readSendTime(text);
    this.received++;
    this.lastAt = now;
    if (this.received === this.expected) this.waiter?.();
  };

  /** Received so far in this phase. */
  count(): number {
    return this.received;
  }

  /** Resolves when every expected frame arrived or after `timeoutMs`; the samples are valid until the next `start()`. */
  async wait(timeoutMs: number): Promise<ISinkOutcome> {
    if (this.received < this.expected) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return {
      received: this.received,
      expected: this.expected,
      startedAt: this.startedAt,
      lastAt: this.lastAt,
      latencies: this.latencies.subarray(0, this.withLatency ? this.received : 0),
    };
  }
}

/** Counts summed, elapsed from the earliest start to the last frame anywhere, percentiles over all samples. */
export const mergeOutcomes = (parts: ISinkOutcome[]): IPhaseOutcome => {
  const samples = new Float64Array(parts.reduce((sum, part) => sum + part.latencies.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part.latencies, offset);
    offset += part.latencies.length;
  }
  return {
    received: parts.reduce((sum, part) => sum + part.received, 0),
    expected: parts.reduce((sum, part) => sum + part.expected, 0),
    elapsedMs: Math.max(...parts.map(part => part.lastAt)) - Math.min(...parts.map(part => part.startedAt)),
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
  };
};
