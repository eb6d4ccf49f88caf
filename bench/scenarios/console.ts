/** Progress output of the harness: timestamped lines, and load progress (in place on a TTY). */
import type { ILoadLine } from '../lib/child';

/** Log and progress functions bound to the run's start time. */
export const createConsole = (startedAt: number) => {
  const tty = Boolean(process.stdout.isTTY);
  const lastPrinted = new Map<string, number>();
  let inPlace = false;
  const stamp = (): string => {
    const s = Math.floor((performance.now() - startedAt) / 1000);
    return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
  };
  const log = (text: string): void => {
    if (inPlace) process.stdout.write('\r\x1b[2K');
    inPlace = false;
    process.stdout.write(`${stamp()} ${text}\n`);
  };
  const progress = (label: string, line: ILoadLine): void => {
    const text = `${stamp()} ${label}: ${String(line.phase)} ${String(line.done)}/${String(line.total)}`;
    if (tty) {
      process.stdout.write(`\r\x1b[2K${text}`);
      inPlace = true;
      return;
    }
    const now = Date.now();
    if (now - (lastPrinted.get(label) ?? 0) < 2000) return;
    lastPrinted.set(label, now);
    process.stdout.write(`${text}\n`);
  };
  return { log, progress };
};
