/** A throw-away redis-server on a free loopback port, without persistence, stopped by PID. */
import { connect } from 'node:net';
import type { Subprocess } from 'bun';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TMP_DIR } from './child';
import { LOOPBACK, freePort, sleep } from './net';

const REDIS_BIN = process.env.BENCH_REDIS_SERVER ?? '/usr/bin/redis-server';

/** A running redis-server. */
export interface IRedisServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Sends one inline command and resolves with the first reply line. */
export const redisCommand = (port: number, command: string, timeoutMs = 2000): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('redis timeout'));
    }, timeoutMs);
    let reply = '';
    socket.once('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', data => {
      reply += data.toString();
      if (reply.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.write(`${command}\r\n`);
  });

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
