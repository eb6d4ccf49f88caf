/** Description of the machine a run happened on, for the report header. */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

/** What the report says about where and when the numbers were taken. */
export interface IMachineInfo {
  date: string;
  nproc: number;
  cpuModel: string;
  memTotalMiB: number;
  bunVersion: string;
  kernel: string;
  openFileLimit: number;
  /** 1/5/15-minute load averages when the run started (other work on the machine shows here). */
  loadAvg: number[];
}

const readFirst = (path: string, pattern: RegExp): string | undefined => {
  try {
    return pattern.exec(readFileSync(path, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
};

/** Collects nproc, CPU model, memory, Bun version and kernel. */
export const describeMachine = (openFileLimit: number): IMachineInfo => ({
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpuModel: readFirst('/proc/cpuinfo', /^model name\s*:\s*(.+)$/m) ?? 'unknown',
  memTotalMiB: Math.round(Number(readFirst('/proc/meminfo', /^MemTotal:\s+(\d+)/m) ?? NaN) / 1024),
  bunVersion: Bun.version,
  kernel: readFirst('/proc/version', /^Linux version (\S+)/) ?? 'unknown',
  openFileLimit,
  loadAvg: loadavg().map(v => Math.round(v * 100) / 100),
});
