/**
 * A background job in its own process: it runs no WebSocket server, yet pushes `job:progress`
 * to every open session of one user, on whichever chat instance they are connected, through a
 * `WebSocketEmitter` on the same Redis.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 bun examples/worker-emitter/worker.ts ada
 *
 *   argv[2]      user id to notify (in the chat example: the name picked in the page; default 'ada')
 *   REDIS_URL    the Redis the chat instances use (required)
 *   STEPS        number of progress events (default 10, at most 1000)
 *   INTERVAL_MS  pause between events (default 300)
 */
import { WebSocketEmitter } from 'ignis-websocket';
import type { ChatServerEvents } from '../chat/events';
import { redisFromUrl } from '../shared/redis-url';

const readCount = (name: string, fallback: number, max: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got '${raw}'`);
  return value;
};

export interface IProgressJob {
  redisUrl: string;
  userId: string;
  steps: number;
  intervalMs: number;
  jobId?: string;
  /** Called after each event was accepted by Redis. */
  onStep?: (progress: ChatServerEvents['job:progress']) => void;
}

/** Publishes `steps` progress events to `userId`, one every `intervalMs`, then releases Redis. */
export const runProgressJob = async (job: IProgressJob): Promise<void> => {
  const jobId = job.jobId ?? `job-${Date.now().toString(36)}`;
  const emitter = new WebSocketEmitter({ identifier: 'worker-emitter', redisConnection: redisFromUrl(job.redisUrl, 'worker-emitter') });
  await emitter.configure();
  try {
    for (let step = 1; step <= job.steps; step++) {
      // ...one slice of real work would go here...
      const progress: ChatServerEvents['job:progress'] = { jobId, step, total: job.steps, done: step === job.steps };
      // Resolves once Redis accepted it; every chat instance hosting this user's sessions delivers it.
      await emitter.toUser({ userId: job.userId, event: 'job:progress', data: progress });
      job.onStep?.(progress);
      if (step < job.steps) await Bun.sleep(job.intervalMs);
    }
  } finally {
    await emitter.shutdown();
  }
};

if (import.meta.main) {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    console.error('REDIS_URL is required, e.g. REDIS_URL=redis://127.0.0.1:6379 bun examples/worker-emitter/worker.ts ada');
    process.exit(2);
  }
  const userId = process.argv[2] ?? 'ada';
  try {
    await runProgressJob({
      redisUrl,
      userId,
      steps: readCount('STEPS', 10, 1000),
      intervalMs: readCount('INTERVAL_MS', 300, 60_000),
      onStep: ({ jobId, step, total }) => console.log(`${jobId}: sent ${step}/${total} to user '${userId}'`),
    });
  } catch (error) {
    // Report and exit non-zero ourselves: Ignis's logger swallows uncaught errors and the process would exit 0.
    console.error(`worker failed: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log('done');
}
