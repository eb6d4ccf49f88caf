/**
 * When to try again: counts consecutive failed attempts, decides whether the policy allows
 * another, and owns the one backoff timer so it can always be cancelled.
 */
import { computeBackoffDelay } from './backoff.js';

/** Reconnect policy with defaults applied. */
export interface IReconnectPolicy {
  enabled: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** The retry counter and timer of one client. */
export class ReconnectScheduler {
  private failed = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly policy: IReconnectPolicy) {}

  /** Whether the policy allows another attempt now. */
  canRetry(): boolean {
    return this.policy.enabled && this.failed < this.policy.maxAttempts;
  }

  /** Schedules `run` after a full-jitter backoff; returns the attempt number (from 1) and the wait. */
  schedule(run: () => void): { attempt: number; delayMs: number } {
    this.cancel();
    const { initialDelayMs, maxDelayMs } = this.policy;
    const delayMs = computeBackoffDelay({ retry: this.failed, initialDelayMs, maxDelayMs });
    this.failed += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      run();
    }, delayMs);
    return { attempt: this.failed, delayMs };
  }

  /** A connection succeeded: the next failure starts from the first delay again. */
  reset(): void {
    this.failed = 0;
  }

  /** Drops the pending attempt, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
