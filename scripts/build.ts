/**
 * `npm run build` (also run by `prepare`, so `npm pack`, `npm ci` and git installs build too):
 *
 *   dist/**.js, .d.ts, maps  ESM for Node and Bun, from `tsc -p tsconfig.build.json` (src/ only)
 *   dist/browser/client.js   the client as one self-contained ESM file for <script type="module">
 *   dist/codegen/bin.js      the `ignis-websocket-types` bin, made executable
 *
 * Sources stay the single truth: dist/ is git-ignored and rebuilt from scratch every time.
 */
import { chmodSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '..');
const DIST = join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });

const tsc = Bun.spawnSync([join(ROOT, 'node_modules/.bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
  cwd: ROOT,
  stdout: 'inherit',
  stderr: 'inherit',
});
if (tsc.exitCode !== 0) {
  console.error('build: tsc failed');
  process.exit(1);
}

const browser = await Bun.build({
  entrypoints: [join(ROOT, 'src/client/index.ts')],
  outdir: join(DIST, 'browser'),
  naming: 'client.js',
  target: 'browser',
  format: 'esm',
  sourcemap: 'linked',
});
if (!browser.success) {
  console.error(`build: the browser bundle failed:\n${browser.logs.map(log => String(log)).join('\n')}`);
  process.exit(1);
}

chmodSync(join(DIST, 'codegen/bin.js'), 0o755);
console.error('build: dist/ (ESM + .d.ts), dist/browser/client.js, dist/codegen/bin.js');
