/** The `ignis-websocket-types` bin (src/codegen/bin.ts) as a user runs it: a real child process. */
import { expect, test } from 'bun:test';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateClientTypes } from '../../src/codegen';
import { treeEvents, treePushes } from './fixtures/tree-events';

const ROOT = resolve(import.meta.dir, '../..');
const BIN = join(ROOT, 'src/codegen/bin.ts');
const FIXTURE = 'test/codegen/fixtures/tree-events.ts';
const DIR = join(ROOT, 'test/.generated/client-types-cli');
const expected = generateClientTypes({ events: treeEvents, serverEvents: treePushes });

const run = (args: string[], cwd = ROOT) => {
  const proc = Bun.spawnSync([process.execPath, BIN, ...args], { cwd, stdout: 'pipe', stderr: 'pipe' });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
};

test('module and export names on the command line: writes the file --out names', async () => {
  rmSync(DIR, { recursive: true, force: true });
  const out = join(DIR, 'flags/events.generated.ts');
  const result = run([FIXTURE, '--events', 'treeEvents', '--server-events', 'treePushes', '--out', out]);
  expect(result.stderr).toContain(`wrote ${out}`);
  expect(result.code).toBe(0);
  expect(await Bun.file(out).text()).toBe(expected);
});

test('without --out the module goes to stdout', () => {
  const result = run([FIXTURE, '--events', 'treeEvents', '--server-events', 'treePushes']);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(expected);
});

test('--config reads the same settings from a JSON file, paths relative to it', async () => {
  const dir = join(DIR, 'config');
  mkdirSync(dir, { recursive: true });
  await Bun.write(
    join(dir, 'ws-types.json'),
    JSON.stringify({ module: `../../../../${FIXTURE}`, events: 'treeEvents', serverEvents: 'treePushes', out: 'out/events.generated.ts' }),
  );
  const result = run(['--config', 'ws-types.json'], dir);
  expect(result.code).toBe(0);
  expect(await Bun.file(join(dir, 'out/events.generated.ts')).text()).toBe(expected);
});

test('an export that is not there: exit 2, naming it and what the module does export', () => {
  const result = run([FIXTURE, '--events', 'events']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("has no export 'events' (it exports: treeEvents, treePushes)");
  expect(result.stderr).toContain('usage: ignis-websocket-types');
});

test('default export names missing: exit 2 with a hint to name them', () => {
  const result = run([FIXTURE]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("exports neither 'events'");
  expect(result.stderr).toContain('--events / --server-events');
});

test('no module: exit 2 with the usage', () => {
  const result = run([]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no module given');
});
