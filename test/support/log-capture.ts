/**
 * Observes what the Ignis application logger writes, in this process: the helper's scoped logger
 * (BaseHelper) writes through `applicationLogger`, a winston stream; every entry it emits from
 * `captureLogs()` until `stop()` is kept with its plain level.
 */
import { applicationLogger } from '@venizia/ignis-helpers';

export interface ILogEntry {
  level: string;
  message: string;
}

export interface ILogCapture {
  readonly entries: ILogEntry[];
  /** Entries at `level` ('error', 'warn', 'info'). */
  at(level: string): ILogEntry[];
  /** Resolves with the first entry (already kept or still to come) that satisfies `match`; rejects after `timeoutMs`. */
  until(match: (entry: ILogEntry) => boolean, timeoutMs?: number): Promise<ILogEntry>;
  stop(): void;
}

const LEVEL = Symbol.for('level');

export const captureLogs = (): ILogCapture => {
  const entries: ILogEntry[] = [];
  const waiters = new Set<(entry: ILogEntry) => void>();
  const listener = (info: { message?: unknown; [LEVEL]?: unknown }) => {
    const entry = { level: String(info[LEVEL]), message: String(info.message) };
    entries.push(entry);
    for (const waiter of waiters) waiter(entry);
  };
  applicationLogger.on('data', listener);
  return {
    entries,
    at: level => entries.filter(entry => entry.level === level),
    until: (match, timeoutMs = 10_000) => {
      const found = entries.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no log entry matched within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (entry: ILogEntry) => {
          if (!match(entry)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(entry);
        };
        waiters.add(waiter);
      });
    },
    stop: () => void applicationLogger.off('data', listener),
  };
};
