/** Counts the bench frames of one phase and records their latency (receive − send stamp). */
import { nowMs, readSendTime } from '../lib/protocol';
import { percentile } from '../lib/stats';

/** Results of one phase. */
export interface IPhaseOutcome {
  received: number;
  expected: number;
  /** From `start()` to the last frame, ms. */
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
    this.startedAt = performance.now();
    this.lastAt = this.startedAt;
    if (this.withLatency && this.latencies.length < expected) this.latencies = new Float64Array(expected);
  }

  /** Feeds one frame. */
  frame = (text: string): void => {
    if (text.indexOf(this.match) < 0 || this.received >= this.expected) return;
    if (this.withLatency) this.latencies[this.received] = nowMs() - readSendTime(text);
    this.received++;
    this.lastAt = performance.now();
    if (this.received === this.expected) this.waiter?.();
  };

  /** Received so far in this phase. */
  count(): number {
    return this.received;
  }

  /** Resolves when every expected frame arrived or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<IPhaseOutcome> {
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
    const sample = this.latencies.subarray(0, this.withLatency ? this.received : 0);
    return {
      received: this.received,
      expected: this.expected,
      elapsedMs: this.lastAt - this.startedAt,
      p50Ms: percentile(sample, 50),
      p99Ms: percentile(sample, 99),
    };
  }
}
