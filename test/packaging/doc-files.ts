/**
 * The files the packaging test runs, taken from the docs: a fenced block right after a
 * `<!-- packaging-test: <path> -->` line in README.md or wiki/*.md is the file at <path> in the
 * temporary app, byte for byte. So the quick start and the testing page are what the test ran.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /^<!-- packaging-test: (\S+) -->$/;

/** path in the app -> the block's text, from one Markdown page. */
export const docFiles = (root: string, page: string): Map<string, string> => {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const files = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]!.trim());
    if (!marker) continue;
    if (!/^```\w*\s*$/.test(lines[i + 1] ?? '')) throw new Error(`${page}:${i + 1}: a packaging-test marker must be followed by a fenced block`);
    let end = i + 2;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    files.set(marker[1]!, `${lines.slice(i + 2, end).join('\n')}\n`);
    i = end;
  }
  return files;
};
