/**
 * Preloaded into a target by `heap.ts` (`bun --preload`): on SIGUSR2 it runs a full GC and
 * appends one JSON line to `$HEAP_PROBE_OUT` with the JS heap (`bun:jsc` heapStats: size,
 * capacity, object count) and the process's RSS, so the target's memory is read from inside.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { heapStats } from 'bun:jsc';

const out = process.env.HEAP_PROBE_OUT;
if (out) {
  process.on('SIGUSR2', () => {
    Bun.gc(true);
    const stats = heapStats();
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
    appendFileSync(out, `${JSON.stringify({ heapSize: stats.heapSize, heapCapacity: stats.heapCapacity, objects: stats.objectCount, rssKiB })}\n`);
  });
}
