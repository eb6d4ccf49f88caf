/**
 * What each light entry point loads, read from the sources (type-only imports excluded, as in
 * the compiled output): the emitter must run on Node ≥ 20, so it loads neither the component
 * (Ignis DI and decorators) nor anything Bun-only; the client runs in browsers, so it loads
 * nothing outside protocol/ and client/ and no package at all.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dir, '../../src');
const transpiler = new Bun.Transpiler({ loader: 'ts' });

/** Files (relative to src/) and packages reached from `entry` through runtime imports. */
const importGraph = (entry: string): { files: string[]; packages: string[] } => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const { path } of transpiler.scanImports(source)) {
      if (path.startsWith('.')) visit(resolve(dirname(file), path.replace(/\.js$/, '.ts')));
      else packages.add(path);
    }
  };
  visit(resolve(SRC, entry));
  return { files: [...files].map(file => relative(SRC, file)).sort(), packages: [...packages].sort() };
};

/** True when the file's code (comments and string literals removed) touches the `Bun` global. */
const usesBun = (file: string): boolean => {
  const code = transpiler.transformSync(readFileSync(resolve(SRC, file), 'utf8'));
  return /\bBun\b/.test(code.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""'));
};

test('the emitter loads no component, no Ignis DI and nothing Bun-only', () => {
  const { files, packages } = importGraph('emitter/index.ts');
  expect(files).toContain('emitter/emitter.ts');
  expect(files.filter(file => file.startsWith('component/') || file.startsWith('client/') || file.startsWith('testing/'))).toEqual([]);
  // From server/ only what resolves options (the broker limits); never the helper or Bun's handler.
  expect(files).toContain('server/options.ts');
  expect(files.filter(file => ['server/helper.ts', 'server/bun-handler.ts', 'server/runtime.ts'].includes(file))).toEqual([]);
  expect(files.filter(usesBun)).toEqual([]);
  expect(packages.filter(name => name === '@venizia/ignis' || name === 'reflect-metadata' || name.startsWith('bun'))).toEqual([]);
});

test('the client loads only protocol/ and client/ files and no package', () => {
  const { files, packages } = importGraph('client/index.ts');
  expect(files.filter(file => !file.startsWith('client/') && !file.startsWith('protocol/'))).toEqual([]);
  expect(packages).toEqual([]);
  expect(files.filter(usesBun)).toEqual([]);
});
