/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), then a fresh
 * Ignis app in a temporary folder with its own package.json and tsconfig.json, the tarball and
 * the peer dependencies installed from the registry with the README's install commands, and the
 * README's quick-start files:
 *
 * - the tarball holds dist/, README.md, LICENSE, CHANGELOG.md, package.json and nothing else;
 * - the app, the generated client types and a file using every entry point compile with `tsc`
 *   (moduleResolution bundler, then nodenext; strict + exactOptionalPropertyTypes +
 *   noUncheckedIndexedAccess), with no cast on `this.component(WebSocketComponent)`;
 * - the app runs under Bun with its own RedisHelper bound (a real redis-server); the packaged
 *   client receives a message in Node (the `node` on PATH, with `ws` on Node 20) and in Bun, the
 *   packaged emitter running under Node reaches both, and the browser bundle works in Chromium;
 * - the testing page's example passes under `bun test` inside the app.
 *
 * Every process it starts is stopped by PID; the temporary folder is removed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { launchChromium } from '../support/chat-example';
import { spawnChild, type IChildProcess } from '../support/child-process';
import { freePort } from '../support/ports';
import { TestRedis } from '../support/redis';
import { docFiles } from './doc-files';

const ROOT = resolve(import.meta.dir, '../..');
const BUN = process.execPath;
const NODE = Bun.which('node');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const TARBALL_NAME = `${pkg.name}-${pkg.version}.tgz`;

const readme = docFiles(ROOT, 'README.md');
const testingPage = docFiles(ROOT, 'wiki/testing.md');

let work: string;
let app: string;
let tarballFiles: string[] = [];
const children: IChildProcess[] = [];

// npm passes its settings to scripts as npm_* variables; the app's own npm must not inherit the repository's.
const withoutNpmSettings = (): Record<string, undefined> =>
  Object.fromEntries(Object.keys(process.env).filter(name => name.toLowerCase().startsWith('npm_')).map(name => [name, undefined]));

/** Runs a command to completion; throws with its output when it fails. */
const run = async (command: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): Promise<string> => {
  const child = spawnChild(command, { cwd, env: { ...withoutNpmSettings(), ...env } });
  const code = await child.exitWithin(timeoutMs);
  if (code !== 0) throw new Error(`'${command.join(' ')}' exited ${code}:\n${child.output().slice(-4000)}`);
  return child.output();
};

/** A long-running process of the app, stopped in afterAll. */
const start = (command: string[], env: Record<string, string> = {}): IChildProcess => {
  const child = spawnChild(command, { cwd: app, env });
  children.push(child);
  return child;
};

/** The README's `npm install` lines, run in the app (the tarball path swapped for the packed one). */
const installCommands = (tarball: string): string[][] => {
  const block = readme.get('install');
  if (!block) throw new Error("README.md has no '<!-- packaging-test: install -->' block");
  const lines = block.split('\n').filter(line => line.startsWith('npm install '));
  expect(lines.length).toBe(2);
  return lines.map(line =>
    line
      .split(/\s+/)
      .map(arg => (arg.endsWith(`/${TARBALL_NAME}`) ? tarball : arg))
      .concat(['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']),
  );
};

const writeAppFile = (path: string, text: string): void => {
  mkdirSync(dirname(join(app, path)), { recursive: true });
  writeFileSync(join(app, path), text);
};

/** README's tsconfig with the module settings of `mode` and the strict flags apps commonly add. */
const writeTsconfig = (mode: 'bundler' | 'nodenext'): void => {
  const base = JSON.parse(readme.get('tsconfig.json') ?? '{}') as { compilerOptions: Record<string, unknown>; include?: string[] };
  expect(base.compilerOptions.experimentalDecorators).toBe(true);
  expect(base.compilerOptions.emitDecoratorMetadata).toBe(true);
  const compilerOptions = {
    ...base.compilerOptions,
    ...(mode === 'nodenext' ? { module: 'NodeNext', moduleResolution: 'NodeNext' } : {}),
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
  };
  writeAppFile('tsconfig.json', JSON.stringify({ ...base, compilerOptions }, null, 2));
};

beforeAll(async () => {
  if (!NODE) throw new Error('node is not on PATH: the packaging test runs the client and the emitter under Node');
  work = mkdtempSync(join(tmpdir(), 'ignis-websocket-pkg-'));
  app = join(work, 'app');
  mkdirSync(app);

  // `npm pack` runs `prepare` (the build) first, as it does before a publish.
  await run(['npm', 'pack', '--pack-destination', work, '--loglevel=error'], ROOT, 120_000);
  const tarball = join(work, TARBALL_NAME);
  const listing = await run(['tar', '-tzf', tarball], work, 20_000);
  tarballFiles = listing
    .split('\n')
    .filter(line => line.startsWith('package/'))
    .map(line => line.slice('package/'.length))
    .sort();

  writeAppFile('package.json', JSON.stringify({ name: 'packaging-test-app', private: true, type: 'module' }, null, 2));
  const [install, installDev] = installCommands(tarball);
  // The README's first line, plus `ws` for the Node 20 client.
  await run([...install!, 'ws'], app, 180_000);
  await run(installDev!, app, 120_000);

  for (const [path, text] of [...readme, ...testingPage]) if (path !== 'install' && path !== 'tsconfig.json') writeAppFile(path, text);
  cpSync(join(import.meta.dir, 'app'), app, { recursive: true });
  writeTsconfig('bundler');
  // The bin from the tarball, as an app runs it (`#!/usr/bin/env bun`: bun must be on PATH).
  await run([join(app, 'node_modules/.bin/ignis-websocket-types'), 'src/events.ts', '--out', 'src/events.generated.ts'], app, 30_000, {
    PATH: `${dirname(BUN)}:${process.env.PATH ?? ''}`,
  });
}, 420_000);

afterAll(async () => {
  await Promise.all(children.map(child => child.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds dist/, README.md, LICENSE, CHANGELOG.md and package.json only', () => {
  const topLevel = [...new Set(tarballFiles.map(path => path.split('/')[0]))].sort();
  expect(topLevel).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
  for (const entry of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/client/index.js',
    'dist/client/index.d.ts',
    'dist/emitter/index.js',
    'dist/emitter/index.d.ts',
    'dist/testing/index.js',
    'dist/testing/index.d.ts',
    'dist/browser/client.js',
    'dist/codegen/bin.js',
  ]) {
    expect(tarballFiles).toContain(entry);
  }
  expect(tarballFiles.filter(path => /(^|\/)(test|bench|examples)\//.test(path) || /\.test\.|\.ts$/.test(path.replace(/\.d\.ts$/, '')))).toEqual([]);
});

test('the generated client types name the recursive type and escape comment text', () => {
  const generated = readFileSync(join(app, 'src/events.generated.ts'), 'utf8');
  expect(generated).toContain('export type TreePut = {');
  expect(generated).toContain('not *\\/ the end');
});

describe.each(['bundler', 'nodenext'] as const)('tsc, moduleResolution %s', mode => {
  test('the app, the generated types and every entry point compile with zero errors', async () => {
    writeTsconfig(mode);
    const source = readFileSync(join(app, 'src/index.ts'), 'utf8');
    expect(source).toContain('this.component(WebSocketComponent);');
    const tsc = spawnChild([BUN, TSC, '-p', app, '--pretty', 'false'], { cwd: app });
    const code = await tsc.exitWithin(90_000);
    expect(tsc.output().trim()).toBe('');
    expect(code).toBe(0);
  }, 100_000);
});

describe('at run time', () => {
  let redis: TestRedis;
  let url: string;
  let http: string;
  let nodeClient: IChildProcess;
  let bunClient: IChildProcess;

  beforeAll(async () => {
    writeTsconfig('bundler');
    redis = await TestRedis.start();
    const server = start([BUN, 'src/index.ts'], { PORT: String(await freePort()), REDIS_PORT: String(redis.port) });
    const ready = await server.waitForLine(/^WebSockets on (ws:\/\/127\.0\.0\.1:(\d+)\/ws)$/, 30_000);
    url = ready[1]!;
    http = `http://127.0.0.1:${ready[2]}`;
    // The README's clients point at port 3000; here they point at the app's free port.
    for (const file of ['client.mjs', 'src/client.ts']) writeAppFile(file, readme.get(file)!.replace('ws://127.0.0.1:3000/ws', url));
    nodeClient = start([NODE!, 'client.mjs']);
    bunClient = start([BUN, 'src/client.ts']);
    await Promise.all([nodeClient.waitForLine(/^connected$/, 20_000), bunClient.waitForLine(/^connected$/, 20_000)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.splice(0).map(child => child.stop()));
    await redis?.stop();
  });

  test('the packaged client receives a message in Node and in Bun', async () => {
    const response = await fetch(`${http}/news`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"over http"}' });
    expect(await response.json()).toEqual({ sent: true });
    await Promise.all([nodeClient.waitForLine(/^news \{"text":"over http"\}$/, 10_000), bunClient.waitForLine(/^news \{"text":"over http"\}$/, 10_000)]);
  }, 20_000);

  // The app's only link to the worker is the Redis of its own RedisHelper.
  test('the packaged emitter running under Node reaches both clients through Redis', async () => {
    await run([NODE!, 'worker.mjs'], app, 20_000, { REDIS_PORT: String(redis.port) });
    await Promise.all([
      nodeClient.waitForLine(/^news \{"text":"from a worker"\}$/, 10_000),
      bunClient.waitForLine(/^news \{"text":"from a worker"\}$/, 10_000),
    ]);
  }, 30_000);

  test("the browser bundle loads as <script type=\"module\"> and receives a message", async () => {
    const bundle = readFileSync(join(app, 'node_modules/ignis-websocket/dist/browser/client.js'), 'utf8');
    expect(bundle).not.toMatch(/^\s*import\s/m); // self-contained: nothing for the browser to resolve
    const page = `<!doctype html><script type="module">
      import { WebSocketClient } from '/client.js';
      const client = new WebSocketClient({ url: ${JSON.stringify(url)}, auth: () => ({ token: 'let-me-in' }) });
      client.on('news', news => { document.title = 'news:' + news.text; });
      await client.connect();
      document.title = 'connected';
    </script>`;
    const site = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: req =>
        new URL(req.url).pathname === '/client.js'
          ? new Response(bundle, { headers: { 'content-type': 'text/javascript' } })
          : new Response(page, { headers: { 'content-type': 'text/html' } }),
    });
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${site.port}/`);
      await tab.waitForFunction(() => document.title === 'connected', undefined, { timeout: 15_000 });
      await fetch(`${http}/news`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"to the page"}' });
      await tab.waitForFunction(() => document.title === 'news:to the page', undefined, { timeout: 10_000 });
    } finally {
      await browser.close();
      site.stop(true);
    }
  }, 60_000);

  test("Node imports 'ignis-websocket/client' and 'ignis-websocket/emitter' from the app", async () => {
    await run([NODE!, '--input-type=module', '-e', "await import('ignis-websocket/client'); await import('ignis-websocket/emitter');"], app, 20_000);
  });
});

test("the testing page's example passes under `bun test` in the app", async () => {
  writeTsconfig('bundler');
  const output = await run([BUN, 'test', 'test/socket.test.ts'], app, 60_000);
  expect(output).toContain(' 4 pass');
  expect(output).toContain(' 0 fail');
}, 70_000);
