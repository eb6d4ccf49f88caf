/**
 * Every ```ts block in README.md and wiki/*.md must compile. Each block becomes one module under
 * test/.generated/snippets/ and all of them are type-checked by one `tsc` run, with the package's
 * own names mapped to this repository:
 *
 *   'ignis-websocket'         -> src/index.ts
 *   'ignis-websocket/client'  -> src/client/index.ts
 *   'ignis-websocket/emitter' -> src/emitter/index.ts
 *   'ignis-websocket/testing' -> src/testing/index.ts
 *   './x', '../x'             -> resolved from the Markdown file's folder
 *
 * A block fenced ```ts snippet-skip is not compiled (see wiki/README.md: keep those rare).
 * A failure lists `page.md:line:column` for each error, pointing into the Markdown.
 */
import { expect, test } from 'bun:test';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');
const OUT = join(ROOT, 'test/.generated/snippets');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

export interface ISnippet {
  /** Markdown file, relative to the repository root. */
  page: string;
  /** 1-based line in the page of the snippet's first code line. */
  line: number;
  code: string;
  skipped: boolean;
}

const FENCE_OPEN = /^ {0,3}```\s*(ts|typescript)\b(.*)$/;
const FENCE_ANY = /^ {0,3}```/;

/** The ```ts blocks of one Markdown text. */
export const extractSnippets = (page: string, markdown: string): ISnippet[] => {
  const lines = markdown.split('\n');
  const snippets: ISnippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_ANY.test(lines[i]!)) continue;
    const open = FENCE_OPEN.exec(lines[i]!);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^ {0,3}```\s*$/.test(lines[end]!)) end++;
    if (open) {
      snippets.push({ page, line: start + 1, code: lines.slice(start, end).join('\n'), skipped: /\bsnippet-skip\b/.test(open[2]!) });
    }
    i = end;
  }
  return snippets;
};

/** Rewrites relative module specifiers so they resolve from the page's folder. */
const rewriteRelativeImports = (code: string, pageDir: string): string =>
  code.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g, (_all, lead: string, quote: string, spec: string) => {
    let target = relative(OUT, resolve(pageDir, spec)).replaceAll('\\', '/');
    if (!target.startsWith('.')) target = `./${target}`;
    return `${lead}${quote}${target}${quote}`;
  });

const snippetFileName = (snippet: ISnippet): string => `${snippet.page.replace(/[^A-Za-z0-9]+/g, '_')}_L${snippet.line}.ts`;

const docPages = (): string[] => [
  'README.md',
  ...readdirSync(join(ROOT, 'wiki'))
    .filter(name => name.endsWith('.md'))
    .sort()
    .map(name => `wiki/${name}`),
];

test('extractSnippets finds ts blocks, their first line and the skip marker', () => {
  const markdown = ['# t', '```ts', 'const a = 1;', '```', '```sh', 'echo', '```', '```ts snippet-skip', 'partial(', '```'].join('\n');
  expect(extractSnippets('x.md', markdown)).toEqual([
    { page: 'x.md', line: 3, code: 'const a = 1;', skipped: false },
    { page: 'x.md', line: 9, code: 'partial(', skipped: true },
  ]);
});

test('every ```ts block in README.md and wiki/*.md type-checks', async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const snippets: ISnippet[] = [];
  for (const page of docPages()) snippets.push(...extractSnippets(page, await Bun.file(join(ROOT, page)).text()));
  const compiled = snippets.filter(s => !s.skipped);
  expect(compiled.length).toBeGreaterThan(10);

  const byFile = new Map<string, ISnippet>();
  for (const snippet of compiled) {
    const name = snippetFileName(snippet);
    byFile.set(name, snippet);
    // `export {}` makes every block its own module, so names never clash across blocks; the
    // code starts on line 1, so a tsc line is the block's line plus the page offset.
    const code = rewriteRelativeImports(snippet.code, dirname(join(ROOT, snippet.page)));
    await Bun.write(join(OUT, name), `${code}\nexport {};\n`);
  }

  const src = relative(OUT, join(ROOT, 'src')).replaceAll('\\', '/');
  await Bun.write(
    join(OUT, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM'],
          types: ['bun'],
          strict: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          noEmit: true,
          paths: {
            'ignis-websocket': [`${src}/index.ts`],
            'ignis-websocket/client': [`${src}/client/index.ts`],
            'ignis-websocket/emitter': [`${src}/emitter/index.ts`],
            'ignis-websocket/testing': [`${src}/testing/index.ts`],
          },
        },
        include: ['*.ts'],
      },
      null,
      2,
    ),
  );

  const proc = Bun.spawn([TSC, '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  const guard = setTimeout(() => proc.kill('SIGKILL'), 110_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(guard);

  const problems: string[] = [];
  for (const line of `${stdout}\n${stderr}`.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
    if (!match) {
      if (line.trim()) problems.push(line.trim());
      continue;
    }
    const [, file, row, column, tsCode, message] = match;
    const snippet = byFile.get(file!.split(/[\\/]/).pop()!);
    if (!snippet || !resolve(ROOT, file!).startsWith(OUT)) {
      problems.push(`${relative(ROOT, resolve(ROOT, file!))}:${row}:${column} ${tsCode} ${message}`);
      continue;
    }
    problems.push(`${snippet.page}:${snippet.line + Number(row) - 1}:${column} ${tsCode} ${message}`);
  }
  problems.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const skipped = snippets.filter(s => s.skipped).map(s => `${s.page}:${s.line}`);
  if (problems.length > 0 || code !== 0) {
    throw new Error(
      `${problems.length} problem(s) in ${compiled.length} doc snippets (generated in ${relative(ROOT, OUT)}; skipped: ${skipped.join(', ') || 'none'}):\n` +
        problems.join('\n'),
    );
  }
}, 120_000);
