import type { Logger } from '@venizia/ignis-helpers';

/**
 * Rate-limits warnings by kind, so a client flooding bad frames cannot multiply itself into the
 * log: the first warning of a kind in a window is written, the rest are counted and reported
 * with the next one that gets through. Keys are kinds (a small fixed set), never client ids,
 * so the map cannot grow with traffic.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  warn(kind: string, message: string, ...args: unknown[]): void {
    this.write('warn', kind, message, args);
  }

  error(kind: string, message: string, ...args: unknown[]): void {
    this.write('error', kind, message, args);
  }

  private write(level: 'warn' | 'error', kind: string, message: string, args: unknown[]): void {
    const now = Date.now();
    const window = this.windows.get(kind);
    if (window && now < window.until) {
      window.suppressed++;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.set(kind, { until: now + this.windowMs, suppressed: 0 });
    const suffix = suppressed > 0 ? ` (${suppressed} similar suppressed in the last window)` : '';
    this.logger[level](`[${kind}] ${message}${suffix}`, ...args);
  }
}
