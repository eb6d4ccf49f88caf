import type { Logger } from '@venizia/ignis-helpers';
import { escapeLogText, formatLogLine } from './log-text.js';

/**
 * Rate-limits warnings by kind, so a client flooding bad frames cannot multiply itself into the
 * log: the first warning of a kind in a window is written, the rest are counted and reported
 * with the next one that gets through. Keys are kinds (a small fixed set), never client ids,
 * so the map cannot grow with traffic. Every line is made safe on the way out (`log-text.ts`):
 * the message and each argument escaped and cut to 512 characters, errors as `name: message`
 * plus their stack frames, so client text in a message can neither forge a line nor grow one.
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

  /** An info line, throttled the same way (for state changes that can flap, such as "recovered"). */
  info(kind: string, message: string, ...args: unknown[]): void {
    this.write('info', kind, message, args);
  }

  private write(level: 'info' | 'warn' | 'error', kind: string, message: string, args: unknown[]): void {
    const now = Date.now();
    const window = this.windows.get(kind);
    if (window && now < window.until) {
      window.suppressed++;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.set(kind, { until: now + this.windowMs, suppressed: 0 });
    const suffix = suppressed > 0 ? ` (${suppressed} similar suppressed in the last window)` : '';
    this.logger[level](`[${escapeLogText(kind, 64)}] ${formatLogLine(message, args)}${suffix}`);
  }
}
