/**
 * A newcomer follows links: every relative link in README.md, the wiki pages and the examples' READMEs
 * must point at a file or folder that exists, and a `#anchor` at a heading of that page
 * (GitHub's heading slugs).
 */
import { expect, test } from 'bun:test';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');

const pages = (): string[] => [
  'README.md',
  ...readdirSync(join(ROOT, 'wiki'))
    .filter(name => name.endsWith('.md'))
    .map(name => `wiki/${name}`),
  ...readdirSync(join(ROOT, 'examples'))
    .filter(name => existsSync(join(ROOT, 'examples', name, 'README.md')))
    .map(name => `examples/${name}/README.md`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** Markdown text without fenced code blocks and inline code, where link syntax means nothing. */
const prose = (markdown: string): string => markdown.replace(/^ {0,3}```[\s\S]*?^ {0,3}```\s*$/gm, '').replace(/`[^`\n]*`/g, '');

const anchorsOf = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of markdown.replace(/^ {0,3}```[\s\S]*?^ {0,3}```\s*$/gm, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
};

test('slug follows GitHub', () => {
  expect(slug('Pushing from another process: `WebSocketEmitter`')).toBe('pushing-from-another-process-websocketemitter');
  expect(slug('Bun native options (`serverOptions`)')).toBe('bun-native-options-serveroptions');
});

test('every relative link in the docs resolves, anchors included', async () => {
  const broken: string[] = [];
  for (const page of pages()) {
    const markdown = await Bun.file(join(ROOT, page)).text();
    for (const match of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = match[1]!;
      if (/^[a-z]+:/i.test(href)) continue; // http:, https:, mailto:
      const [path, anchor] = href.split('#') as [string, string | undefined];
      const target = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
      if (!existsSync(target)) {
        broken.push(`${page}: ${href} (no ${relative(ROOT, target)})`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(target).isDirectory() || !target.endsWith('.md')) {
        broken.push(`${page}: ${href} (an anchor into something that is not a Markdown page)`);
        continue;
      }
      if (!anchorsOf(await Bun.file(target).text()).has(anchor)) broken.push(`${page}: ${href} (no heading #${anchor})`);
    }
  }
  expect(broken).toEqual([]);
});
