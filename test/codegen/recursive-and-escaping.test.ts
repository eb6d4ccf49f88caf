/**
 * The generator's output for what used to break it: recursive schemas (named recursive types, not
 * `unknown`) and descriptions containing `*\/` (escaped, so the module still compiles).
 */
import { expect, test } from 'bun:test';
import { mkdirSync, rmSync } from 'node:fs';
import { generateClientTypes } from '../../src/codegen';
import { treeEvents, treePushes } from './fixtures/tree-events';

const DIR = 'test/.generated/client-types-recursive';

test('recursive schemas become named recursive types', () => {
  const source = generateClientTypes({ events: treeEvents, serverEvents: treePushes });
  expect(source).toContain('export type TreePut = {');
  expect(source).toContain('children: Array<TreePut>;');
  expect(source).toContain('"tree:put": TreePut;');
  expect(source).toContain('folders: Array<TreePutReplyNode>;');
  expect(source).toContain('export type Category = {');
  expect(source).toContain('parent?: Category;');
  expect(source).not.toContain('unknown');
});

test('description text cannot end the doc comment', () => {
  const source = generateClientTypes({ events: treeEvents, serverEvents: treePushes });
  expect(source).toContain('* ends a comment *\\/ here');
  expect(source).toContain('* and /* opens one');
  expect(source).toContain('/** *\\/ export const broken = ; */');
  expect(source).not.toMatch(/\*\/ (here|export const broken)/);
});

test('the generated module compiles and its recursive types check every level', async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  await Bun.write(`${DIR}/events.generated.ts`, generateClientTypes({ events: treeEvents, serverEvents: treePushes }));
  await Bun.write(
    `${DIR}/use.ts`,
    [
      "import type { ClientEvents, ServerEvents } from './events.generated';",
      "export const ok1: ClientEvents['tree:put'] = { label: 'a', children: [{ label: 'b', children: [{ label: 'c', children: [] }] }] };",
      "export const ok2: ServerEvents['tree:put:reply'] = { root: { name: '/', folders: [{ name: 'x', folders: [] }] } };",
      "export const ok3: ServerEvents['category:changed'] = { category: { title: 't', parent: { title: 'p' } } };",
      "export const ok4: ServerEvents['note:*/'] = { text: 'hi' };",
      '// @ts-expect-error a label three levels down must be a string',
      "export const bad1: ClientEvents['tree:put'] = { label: 'a', children: [{ label: 'b', children: [{ label: 3, children: [] }] }] };",
      '// @ts-expect-error a nested folder needs its folders',
      "export const bad2: ServerEvents['tree:put:reply'] = { root: { name: '/', folders: [{ name: 'x' }] } };",
      '// @ts-expect-error a parent category needs a title',
      "export const bad3: ServerEvents['category:changed'] = { category: { title: 't', parent: {} } };",
      '',
    ].join('\n'),
  );
  await Bun.write(
    `${DIR}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', types: [] },
      include: ['*.ts'],
    }),
  );
  const tsc = Bun.spawnSync([process.execPath, 'node_modules/typescript/bin/tsc', '-p', DIR], { stdout: 'pipe', stderr: 'pipe' });
  expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe('');
  expect(tsc.exitCode).toBe(0);
}, 60_000);
