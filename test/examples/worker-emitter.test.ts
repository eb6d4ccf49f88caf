/**
 * The worker-emitter example against a running chat instance, as its README describes: the chat
 * runs with REDIS_URL, a user is connected, and `bun examples/worker-emitter/worker.ts <user>`
 * in another process pushes job:progress to that user.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RedisHelper } from '@venizia/ignis-helpers';
import { WebSocketClient } from '../../src/client';
import type { ChatServerEvents } from '../../examples/chat/events';
import { startChatProcess, type IChatProcess } from '../support/chat-example';
import { spawnBun } from '../support/child-process';
import { TestRedis, untilSubscribers } from '../support/redis';

let redis: TestRedis;
let monitor: RedisHelper;
let chat: IChatProcess;
let redisUrl: string;

beforeAll(async () => {
  redis = await TestRedis.start();
  monitor = redis.helper('worker-test-monitor');
  await monitor.connect();
  redisUrl = `redis://127.0.0.1:${redis.port}`;
  chat = await startChatProcess({ REDIS_URL: redisUrl });
}, 30_000);

afterAll(async () => {
  await chat?.stop();
  await monitor?.disconnect();
  await redis?.stop();
}, 20_000);

/** The chat instance subscribes to a user's channel once the user's first session is authenticated. */
const untilSubscribed = (channel: string) => untilSubscribers(monitor, channel, 1);

describe('worker-emitter example', () => {
  test('every session of the user receives each progress step once, in order; other users get nothing', async () => {
    const url = `ws://127.0.0.1:${chat.port}/ws`;
    const ada1 = new WebSocketClient<ChatServerEvents>({ url, auth: () => ({ name: 'ada' }) });
    const ada2 = new WebSocketClient<ChatServerEvents>({ url, auth: () => ({ name: 'ada' }) });
    const bob = new WebSocketClient<ChatServerEvents>({ url, auth: () => ({ name: 'bob' }) });
    const seen = { ada1: [] as ChatServerEvents['job:progress'][], ada2: [] as ChatServerEvents['job:progress'][], bob: 0 };
    let allSteps!: () => void;
    const allStepsArrived = new Promise<void>(resolve => (allSteps = resolve));
    const record = (steps: ChatServerEvents['job:progress'][], step: ChatServerEvents['job:progress']) => {
      steps.push(step);
      if (seen.ada1.length >= 4 && seen.ada2.length >= 4) allSteps();
    };
    ada1.on('job:progress', p => record(seen.ada1, p));
    ada2.on('job:progress', p => record(seen.ada2, p));
    bob.on('job:progress', () => seen.bob++);
    try {
      await Promise.all([ada1.connect(), ada2.connect(), bob.connect()]);
      await untilSubscribed('ws:user:ada');

      const worker = spawnBun(['examples/worker-emitter/worker.ts', 'ada'], { REDIS_URL: redisUrl, STEPS: '4', INTERVAL_MS: '50' });
      const code = await worker.exitWithin(20_000);
      expect(code, worker.output()).toBe(0);
      expect(worker.output()).toContain("sent 4/4 to user 'ada'");

      // A deadline, not a poll: on a miss the assertions below say what did arrive.
      await Promise.race([allStepsArrived, Bun.sleep(5_000)]);
      for (const steps of [seen.ada1, seen.ada2]) {
        expect(steps.map(p => [p.step, p.total, p.done])).toEqual([
          [1, 4, false],
          [2, 4, false],
          [3, 4, false],
          [4, 4, true],
        ]);
        expect(new Set(steps.map(p => p.jobId)).size).toBe(1);
      }
      expect(seen.bob).toBe(0);
    } finally {
      for (const client of [ada1, ada2, bob]) client.close();
    }
  }, 40_000);

  test('with a Redis that does not answer it says so and exits 1', async () => {
    const worker = spawnBun(['examples/worker-emitter/worker.ts', 'ada'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await worker.exitWithin(15_000)).toBe(1);
    expect(worker.output()).toContain('worker failed: [RedisBroker] cannot reach Redis at 127.0.0.1:1');
  }, 20_000);

  test('without REDIS_URL it explains what to set and exits 2', async () => {
    const worker = spawnBun(['examples/worker-emitter/worker.ts', 'ada'], { REDIS_URL: '' });
    expect(await worker.exited).toBe(2);
    expect(worker.output()).toContain('REDIS_URL is required');
  }, 20_000);
});
