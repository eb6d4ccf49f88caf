/**
 * `bun <file>` (or any command) as a child process started by a test: its output kept for failure messages,
 * every byte it writes counted, lines awaited as events, and stopped by its own PID.
 */
import { tmpdir } from 'node:os';

const ROOT = `${import.meta.dir}/../..`;
// Ignis writes log files to APP_ENV_LOGGER_FOLDER_PATH (default: the working directory).
const LOG_DIR = `${tmpdir()}/ignis-websocket-tests`;

export interface IChildProcess {
  readonly pid: number;
  /** stdout + stderr so far (the last 100 000 characters of a chatty process). */
  output(): string;
  /** Bytes written to stdout + stderr so far. */
  bytesWritten(): number;
  /** Resolves with the first line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has exited and its output is drained. */
  readonly exited: Promise<number>;
  /** The exit code of a process expected to finish on its own; stopped (and the code returned) after `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<number>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
}

/** Runs `bun ...args` from the repository root with `env` added to this process's environment. */
export const spawnBun = (args: string[], env: Record<string, string> = {}): IChildProcess =>
  spawnChild([process.execPath, ...args], { cwd: ROOT, env });

/** Runs any command (e.g. `node`) in `cwd` with `env` added to this process's environment (`undefined` removes a variable). */
export const spawnChild = (command: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): IChildProcess => {
  const env: Record<string, string | undefined> = { ...process.env, APP_ENV_LOGGER_FOLDER_PATH: LOG_DIR, ...opts.env };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  const proc = Bun.spawn(command, {
    cwd: opts.cwd,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let text = '';
  let bytes = 0;
  const watchers = new Set<() => void>();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      bytes += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
      if (text.length > 200_000) text = text.slice(-100_000);
      for (const watcher of watchers) watcher();
    }
  };
  const drained = Promise.all([drain(proc.stdout as ReadableStream<Uint8Array>), drain(proc.stderr as ReadableStream<Uint8Array>)]);
  let exitCode: number | undefined;
  const exited = proc.exited.then(async code => {
    await drained;
    exitCode = code;
    for (const watcher of watchers) watcher();
    return code;
  });

  const stop = async (graceMs = 5_000) => {
    if (exitCode !== undefined) return exitCode;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };

  return {
    pid: proc.pid,
    output: () => text,
    bytesWritten: () => bytes,
    exited,
    stop,
    async exitWithin(timeoutMs) {
      const guard = setTimeout(() => void stop(), timeoutMs);
      const code = await exited;
      clearTimeout(guard);
      return code;
    },
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.split('\n').map(line => line.match(pattern)).find(Boolean);
          if (match) return finish(() => resolve(match));
          if (exitCode !== undefined) finish(() => reject(new Error(`process exited (${exitCode}) before printing ${pattern}:\n${text.slice(-3000)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text.slice(-3000)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        watchers.add(check);
        check();
      });
    },
  };
};

/** A child that printed `PORT <n>` and answers SIGUSR2 with a `LOG-MARK <n>` log line (see `answerLogMarks`). */
export interface IPortChild {
  port: number;
  child: IChildProcess;
  /** Bytes logged so far, `LOG-MARK` lines excepted, once every line logged before the call has arrived. */
  loggedSoFar(): Promise<number>;
}

/**
 * Starts `bun <file>`, waits for its `PORT <n>` line (stopping it if that never comes), and
 * measures its log with marks: SIGUSR2 makes the child log `LOG-MARK <n>` after everything
 * logged before, so the bytes up to that line are exactly what it logged until then.
 */
export const spawnPortChild = async (file: string, env: Record<string, string> = {}): Promise<IPortChild> => {
  const child = spawnBun([file], env);
  const port = await child.waitForLine(/^PORT (\d+)/).then(
    match => Number(match[1]),
    async error => {
      await child.stop();
      throw error;
    },
  );
  let marks = 0;
  let markBytes = 0;
  return {
    port,
    child,
    async loggedSoFar() {
      const n = ++marks;
      process.kill(child.pid, 'SIGUSR2');
      const line = await child.waitForLine(new RegExp(`LOG-MARK ${n}\\b`));
      markBytes += Buffer.byteLength(`${line.input}\n`);
      return child.bytesWritten() - markBytes;
    },
  };
};

/** The child side of `spawnPortChild`: answers SIGUSR2 by logging `LOG-MARK <n>` through `log`. */
export const answerLogMarks = (log: (line: string) => void): void => {
  let marks = 0;
  process.on('SIGUSR2', () => log(`LOG-MARK ${++marks}`));
};
