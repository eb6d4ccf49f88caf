/** The one-timer queue behind the auth deadlines (src/timing/deadline-queue.ts). */
import { describe, expect, test } from 'bun:test';
import { DeadlineQueue } from '../../src/timing/deadline-queue';

describe('DeadlineQueue', () => {
  test('every item expires, in the order added, no sooner than its delay; the queue re-arms for items added later', async () => {
    const expired: { n: number; after: number }[] = [];
    const added = new Map<number, number>();
    let firstWaveDone!: () => void;
    let allDone!: () => void;
    const firstWave = new Promise<void>(resolve => (firstWaveDone = resolve));
    const all = new Promise<void>(resolve => (allDone = resolve));
    const queue = new DeadlineQueue<number>(30, n => {
      expired.push({ n, after: performance.now() - added.get(n)! });
      if (expired.length === 2_000) firstWaveDone();
      if (expired.length === 2_001) allDone();
    });
    // More than the 1,024 the queue compacts after, then one more once the timer has gone idle.
    for (let n = 0; n < 2_000; n++) {
      added.set(n, performance.now());
      queue.add(n);
    }
    await firstWave;
    added.set(2_000, performance.now());
    queue.add(2_000);
    await all;
    expect(expired.map(e => e.n)).toEqual(Array.from({ length: 2_001 }, (_, n) => n));
    expect(Math.min(...expired.map(e => e.after))).toBeGreaterThanOrEqual(29);
  });

  test('clear() drops what is pending: nothing expires afterwards', async () => {
    const expired: number[] = [];
    const queue = new DeadlineQueue<number>(20, n => void expired.push(n));
    queue.add(1);
    queue.clear();
    let later!: () => void;
    const probe = new DeadlineQueue<number>(60, () => later());
    const afterTheirDeadline = new Promise<void>(resolve => (later = resolve));
    probe.add(0);
    await afterTheirDeadline;
    expect(expired).toEqual([]);
  });
});
