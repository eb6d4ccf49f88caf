/**
 * Reconnect delays: exponential backoff with full jitter. The ceiling doubles per retry up to a
 * cap and the actual wait is uniform below it, so a fleet of clients dropped by one server restart
 * spreads its reconnects instead of arriving together.
 */

/** Inputs of `computeBackoffDelay`. */
export interface IBackoffInput {
  /** 0 for the first retry after a failure. */
  retry: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Source of randomness in [0, 1); `Math.random` unless given (tests pin it). */
  random?: () => number;
}

// 2^30 times any sane initial delay is already past every cap; stops the power overflowing.
const MAX_DOUBLINGS = 30;

/** Ceiling of the wait before retry number `retry`: `min(max, initial * 2^retry)`. */
export const backoffCeiling = (opts: Omit<IBackoffInput, 'random'>): number => {
  const doublings = Math.min(Math.max(0, Math.floor(opts.retry)), MAX_DOUBLINGS);
  return Math.max(0, Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** doublings));
};

/** ms to wait before retry number `retry`: a uniform pick in `[0, ceiling)`. */
export const computeBackoffDelay = (opts: IBackoffInput): number => {
  const random = opts.random ?? Math.random;
  return Math.floor(random() * backoffCeiling(opts));
};
