/** A throw-away redis-server on a free loopback port, without persistence, stopped by PID; raw commands and `INFO commandstats` readings. */
import { connect } from 'node:net';
import type { Subprocess } from 'bun';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TMP_DIR } from './child';
import { LOOPBACK, freePort, sleep } from './net';

const REDIS_BIN = process.env.BENCH_REDIS_SERVER ?? '/usr/bin/redis-server';
const BULK = '$'.charCodeAt(0);

/** A running redis-server. */
export interface IRedisServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** The reply in `buffer` once it is complete: a bulk string's payload, else the first line (`+PONG`). */
const completeReply = (buffer: Buffer): string | undefined => {
  const head = buffer.indexOf('\r\n');
  if (head < 0) return undefined;
  if (buffer[0] !== BULK) return buffer.subarray(0, head).toString();
  const length = Number(buffer.subarray(1, head).toString());
  if (length < 0) return '';
  return buffer.length < head + 2 + length ? undefined : buffer.subarray(head + 2, head + 2 + length).toString();
};

/** Sends one inline command and resolves with its reply: a bulk string's payload, else the first reply line. */
export const redisCommand = (port: number, command: string, timeoutMs = 2000): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis timeout: ${command}`));
    }, timeoutMs);
    let reply = Buffer.alloc(0);
    socket.once('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const complete = completeReply(reply);
      if (complete === undefined) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(complete);
    });
    socket.write(`${command}\r\n`);
  });

/** Calls per Redis command (lower-case name) so far, from `INFO commandstats`. */
export type TCommandCalls = Record<string, number>;

/** The server's `INFO commandstats` as command → calls. */
export const commandStats = async (port: number): Promise<TCommandCalls> => {
  const calls: TCommandCalls = {};
  for (const line of (await redisCommand(port, 'INFO commandstats', 5000)).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) calls[match[1]!] = Number(match[2]);
  }
  return calls;
};

/** Calls made between two readings, per command, without the `INFO` calls that took the readings. */
export const commandDelta = (before: TCommandCalls, after: TCommandCalls): TCommandCalls => {
  const delta: TCommandCalls = {};
  for (const [command, calls] of Object.entries(after)) {
    const made = calls - (before[command] ?? 0);
    if (made > 0 && command !== 'info') delta[command] = made;
  }
  return delta;
};

/** Sum of the calls of the given commands (all commands when `only` is left out). */
export const sumCalls = (calls: TCommandCalls, only?: string[]): number =>
  Object.entries(calls).reduce((sum, [command, n]) => sum + (only === undefined || only.includes(command) ? n : 0), 0);

/**
 * `INFO commandstats` once Redis has gone quiet: read every `quietMs` until a reading adds no
 * command but `INFO` (or `timeoutMs` passes; then the last reading).
 */
export const quietCommandStats = async (port: number, quietMs = 500, timeoutMs = 10_000): Promise<TCommandCalls> => {
  const deadline = Date.now() + timeoutMs;
  let last = await commandStats(port);
  while (Date.now() < deadline) {
    await sleep(quietMs);
    const next = await commandStats(port);
    if (sumCalls(commandDelta(last, next)) === 0) return next;
    last = next;
  }
  return last;
};

/** Starts redis-server and waits until it answers PING. */
export const startRedis = async (): Promise<IRedisServer> => {
  const port = await freePort();
  mkdirSync(TMP_DIR, { recursive: true });
  const fd = openSync(join(TMP_DIR, 'redis.log'), 'a');
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no'];
  const proc: Subprocess = Bun.spawn([REDIS_BIN, ...args], { stdin: 'ignore', stdout: fd, stderr: fd });
  closeSync(fd);
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const done = await Promise.race([proc.exited.then(() => true), sleep(3000).then(() => false)]);
    if (!done) proc.kill('SIGKILL');
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
    try {
      if ((await redisCommand(port, 'PING')) === '+PONG') return { port, pid: proc.pid, stop };
    } catch {
      // still starting
    }
    await sleep(50);
  }
  await stop();
  throw new Error('redis-server did not answer PING');
};
