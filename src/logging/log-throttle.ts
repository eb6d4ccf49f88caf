import type { Logger } from '@venizia/ignis-helpers';
import { LogFormats, writeLogEvent, type TLogFields, type TLogFormat } from './log-format.js';
import { escapeLogText, formatLogLine } from './log-text.js';

/**
 * Rate-limits warnings by kind, so a client flooding bad frames cannot multiply itself into the
 * log: the first warning of a kind in a window is written, the rest are counted and reported
 * with the next one that gets through. Keys are kinds (a small fixed set), never client ids,
 * so the map cannot grow with traffic. Every line is made safe on the way out (`log-text.ts`):
 * the message and each argument escaped and cut to 512 characters, errors as `name: message`
 * plus their stack frames, so client text in a message can neither forge a line nor grow one.
 * `event()` writes a line with fields (connect, auth failure, disconnect) in the helper's
 * `logFormat`: ` | key: value` in text, top-level keys of a JSON line in json.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  private readonly windowMs: number;
  private readonly format: TLogFormat;

  constructor(
    private readonly logger: Logger,
    opts: { windowMs?: number; format?: TLogFormat } = {},
  ) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.format = opts.format ?? LogFormats.TEXT;
  }

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

  /**
   * One event with its fields, throttled by kind like every other line. `message` is the
   * caller's own words; anything a client chose goes in `fields`, which are escaped and cut.
   * Pass `fields` as a function where the event is frequent (connect, disconnect).
   */
  event(level: 'info' | 'warn', kind: string, message: string, fields: TLogFields | (() => TLogFields)): void {
    const suppressed = this.pass(kind);
    if (suppressed === null) return;
    // A function is only called for a line that is written: frequent events build nothing while throttled.
    if (typeof fields === 'function') fields = fields();
    // The kind leads the text line already; a JSON line carries it as a field too, to filter on.
    const named = this.format === LogFormats.JSON ? { event: kind, ...fields } : fields;
    const all = suppressed > 0 ? { ...named, suppressed } : named;
    writeLogEvent({ logger: this.logger, format: this.format, level, message: `[${escapeLogText(kind, 64)}] ${message}`, fields: all });
  }

  private write(level: 'info' | 'warn' | 'error', kind: string, message: string, args: unknown[]): void {
    const suppressed = this.pass(kind);
    if (suppressed === null) return;
    const suffix = suppressed > 0 ? ` (${suppressed} similar suppressed in the last window)` : '';
    this.logger[level](`[${escapeLogText(kind, 64)}] ${formatLogLine(message, args)}${suffix}`);
  }

  /** `null` while `kind` is inside its window (counted), else how many were suppressed in the last one. */
  private pass(kind: string): number | null {
    const now = Date.now();
    const window = this.windows.get(kind);
    if (window && now < window.until) {
      window.suppressed++;
      return null;
    }
    this.windows.set(kind, { until: now + this.windowMs, suppressed: 0 });
    return window?.suppressed ?? 0;
  }
}
