/**
 * The component needs Bun. On Node.js a real Ignis app using it must fail at start-up with an
 * error that names Bun, before anything listens.
 */
import { describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBunRuntime, isBunRuntime } from '../../src';

const ROOT = join(import.meta.dir, '..', '..');

describe('runtime check', () => {
  test('a real Ignis app with the component, run by node, fails start-up naming Bun', async () => {
    const node = Bun.which('node');
    expect(node, 'node is needed on PATH for this test (Node 20+)').toBeTruthy();
    const outdir = await mkdtemp(join(tmpdir(), 'ignis-ws-node-'));
    try {
      const built = await Bun.build({
        entrypoints: [join(import.meta.dir, 'fixtures', 'node-start.ts')],
        outdir,
        target: 'node',
        format: 'cjs',
        packages: 'external',
        naming: '[name].cjs',
      });
      expect(built.success, built.logs.join('\n')).toBe(true);
      const child = Bun.spawn([node!, join(outdir, 'node-start.cjs')], {
        cwd: outdir,
        env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), APP_ENV_LOGGER_FOLDER_PATH: outdir },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
      expect(await child.exited, stderr.slice(-2000)).toBe(0);
      const result = stdout.split('\n').find(line => line.startsWith('RESULT '));
      expect(result, stdout.slice(-2000)).toBeDefined();
      const { message } = JSON.parse(result!.slice('RESULT '.length));
      expect(message).toContain('Bun runtime only');
      expect(message).toContain('Node.js');
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 60_000);

  test('the check itself: passes on Bun, throws naming Bun for a global without Bun', () => {
    expect(isBunRuntime()).toBe(true);
    expect(() => assertBunRuntime()).not.toThrow();
    expect(() => assertBunRuntime({})).toThrow(/Bun runtime only.*Start the app with 'bun run <entry>'/);
  });
});
