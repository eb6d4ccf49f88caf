/**
 * Whether our component can be benchmarked yet: `src/index.ts` must exist and export
 * `WebSocketComponent`. Checked in a child process so a broken module cannot take the harness down.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../lib/net';

const ROOT = join(import.meta.dir, '..', '..');
const PROBE = `import(${JSON.stringify(join(ROOT, 'src', 'index.ts'))})
  .then(m => process.exit(typeof m.WebSocketComponent === 'function' ? 0 : 3))
  .catch(e => { console.error(String(e && e.message || e)); process.exit(4); });`;

/** `{ ok: true }` or the reason ours is not available. */
export const checkOurs = async (): Promise<{ ok: boolean; reason?: string }> => {
  if (!existsSync(join(ROOT, 'src', 'index.ts'))) return { ok: false, reason: 'src/index.ts does not exist yet' };
  const proc = Bun.spawn([process.execPath, '-e', PROBE], { cwd: ROOT, stdout: 'ignore', stderr: 'pipe' });
  const code = await Promise.race([proc.exited, sleep(30_000).then(() => -1)]);
  if (code === -1) {
    proc.kill('SIGKILL');
    return { ok: false, reason: 'importing src/index.ts did not finish within 30 s' };
  }
  if (code === 0) return { ok: true };
  if (code === 3) return { ok: false, reason: 'src/index.ts does not export WebSocketComponent' };
  const stderr = (await new Response(proc.stderr).text()).trim().split('\n').slice(-1)[0] ?? '';
  return { ok: false, reason: `importing src/index.ts failed: ${stderr.slice(0, 200)}` };
};
