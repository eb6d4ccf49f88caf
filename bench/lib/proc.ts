/**
 * Readers of /proc for the server processes under test: resident memory and CPU time.
 * Linux only; on failure they return NaN so a missing process shows as a gap, not a crash.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** One reading of a process: resident set in KiB and user+system CPU in ms. */
export interface IProcSample {
  rssKiB: number;
  cpuMs: number;
}

/** VmRSS of a process in KiB. */
export const readRssKiB = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
};

/** utime + stime of a process in ms (10 ms resolution). */
export const readCpuMs = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the closing ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
};

/** Both readings at once. */
export const sampleProc = (pid: number): IProcSample => ({ rssKiB: readRssKiB(pid), cpuMs: readCpuMs(pid) });

/** Soft limit on open files of a process (from /proc/<pid>/limits). */
export const readOpenFileLimit = (pid: number | 'self' = 'self'): number => {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match) return NaN;
    return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  } catch {
    return NaN;
  }
};

/** user + nice + system CPU ms of the whole machine (all cores), from /proc/stat. */
export const readMachineBusyMs = (): number => {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    return ((Number(fields[1]) + Number(fields[2]) + Number(fields[3])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
};

/** CPU ms of this process plus its reaped children (utime + stime + cutime + cstime). */
export const readSelfTreeMs = (): number => {
  try {
    const rest = readFileSync('/proc/self/stat', 'utf8');
    const f = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
};

/**
 * Measures CPU used by processes outside the benchmark while a run lasts: machine busy time
 * minus the harness tree (children must have exited and been reaped when `stop()` is called)
 * minus long-lived helpers such as redis-server. Returns the average in cores.
 */
export const startForeignMeter = (helperPids: number[]): { stop(): number } => {
  const own = (): number => readSelfTreeMs() + helperPids.reduce((sum, pid) => sum + readCpuMs(pid), 0);
  const busy0 = readMachineBusyMs();
  const own0 = own();
  const t0 = performance.now();
  return {
    stop: () => Math.max(0, readMachineBusyMs() - busy0 - (own() - own0)) / (performance.now() - t0),
  };
};
