/**
 * Child processes of the harness: target servers (output to a log file, readiness by HTTP) and
 * load generators (JSON lines on stdout). Every child is stopped by its own PID.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { LOOPBACK, sleep } from './net';

/** Where child logs go; ignored by git. */
export const TMP_DIR = join(process.env.BENCH_RESULTS_DIR ?? join(import.meta.dir, '..', 'results'), 'tmp');
const BUN = process.execPath;

/** A started child and how to stop it. */
export interface IChild {
  name: string;
  pid: number;
  proc: Subprocess;
  stop(): Promise<void>;
}

const openLog = (name: string): number => {
  mkdirSync(TMP_DIR, { recursive: true });
  return openSync(join(TMP_DIR, `${name}.log`), 'a');
};

/** SIGTERM, then SIGKILL after `graceMs` if the process is still alive. */
const stopProcess = async (proc: Subprocess, graceMs = 3000): Promise<void> => {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const exited = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!exited) {
    proc.kill('SIGKILL');
    await proc.exited;
  }
};

/** Starts `bun <script> <args>`; stdout and stderr are appended to `results/tmp/<name>.log`. */
export const spawnLogged = (name: string, script: string, args: string[], env: Record<string, string> = {}): IChild => {
  const fd = openLog(name);
  const proc = Bun.spawn([BUN, script, ...args], {
    cwd: join(import.meta.dir, '..', '..'),
    env: { ...process.env, APP_ENV_LOGGER_FOLDER_PATH: TMP_DIR, ...env },
    stdin: 'ignore',
    stdout: fd,
    stderr: fd,
  });
  closeSync(fd);
  return { name, pid: proc.pid, proc, stop: () => stopProcess(proc) };
};

/** Polls `GET /bench/ready` on the target until it answers 200, it exits, or the deadline passes. */
export const waitReady = async (child: IChild, port: number, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited with ${child.proc.exitCode}`);
    try {
      const response = await fetch(`http://${LOOPBACK}:${port}/bench/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not ready within ${timeoutMs} ms`);
};

/** One JSON line a load generator prints. */
export interface ILoadLine {
  type: 'progress' | 'result' | 'error';
  [key: string]: unknown;
}

/**
 * Runs a load generator to completion and returns its `result` line. Progress lines go to
 * `onProgress`; the run is killed after `timeoutMs`.
 */
export const runLoad = async (
  name: string,
  script: string,
  input: unknown,
  onProgress: (line: ILoadLine) => void,
  timeoutMs: number,
): Promise<Record<string, unknown>> => {
  const fd = openLog(name);
  const proc = Bun.spawn([BUN, script, JSON.stringify(input)], {
    cwd: join(import.meta.dir, '..', '..'),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: fd,
  });
  closeSync(fd);
  const timer = setTimeout(() => void stopProcess(proc, 1000), timeoutMs);
  let result: Record<string, unknown> | undefined;
  let failure: string | undefined;
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const text = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as ILoadLine;
      if (line.type === 'result') result = line;
      else if (line.type === 'error') failure = String(line.message);
      else onProgress(line);
    }
  }
  await proc.exited;
  clearTimeout(timer);
  if (result) return result;
  throw new Error(failure ?? `${name} ended without a result (exit ${proc.exitCode}, signal ${proc.signalCode})`);
};
