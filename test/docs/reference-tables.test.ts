/**
 * The reference tables of the wiki list exactly what the code has: every error code and close
 * code of src/protocol/constants.ts in wiki/protocol.md, and every public member of
 * `WebSocketClient` and every client-side error code in wiki/client.md. A constant or a method
 * added without its row (or a row left after its removal) fails here.
 */
import { describe, expect, test } from 'bun:test';
import ts from 'typescript';
import { WebSocketCloseCodes, WebSocketErrorCodes } from '../../src';
import { WebSocketClient, WebSocketClientErrorCodes } from '../../src/client';

const read = (path: string): Promise<string> => Bun.file(new URL(`../../${path}`, import.meta.url)).text();
const protocolPage = await read('wiki/protocol.md');
const clientPage = await read('wiki/client.md');

/** First cells of the table right under `heading` (exact heading line), one string per row. */
const firstCells = (page: string, heading: string): string[] => {
  const lines = page.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `heading '${heading}' not found`).toBeGreaterThanOrEqual(0);
  const cells: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    const first = line.split('|')[1]!.trim();
    if (inTable && !/^-+$/.test(first)) cells.push(first);
    inTable = true; // the header row is skipped
  }
  return cells.filter(cell => !/^:?-+:?$/.test(cell));
};

/** Every `code` span of a cell, as written. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1]!);

/** The values of a constant class: its static string / number fields. */
const constantValues = (constants: object): (string | number)[] =>
  Object.values(constants).filter((value): value is string | number => typeof value === 'string' || typeof value === 'number');

const sorted = <T extends string | number>(values: T[]): T[] => [...values].sort((a, b) => String(a).localeCompare(String(b)));

describe('wiki/protocol.md', () => {
  test('the error-code table lists every WebSocketErrorCodes value, once', () => {
    const rows = firstCells(protocolPage, '### Error codes').map(cell => codeSpans(cell)[0]);
    expect(sorted(rows.filter((code): code is string => code !== undefined))).toEqual(sorted(constantValues(WebSocketErrorCodes).map(String)));
    expect(rows).toHaveLength(new Set(rows).size);
  });

  test('the close-code table lists every WebSocketCloseCodes value, once', () => {
    const rows = firstCells(protocolPage, '## Close codes').map(cell => Number(codeSpans(cell)[0]));
    expect(sorted(rows)).toEqual(sorted(constantValues(WebSocketCloseCodes).map(Number)));
    expect(rows).toHaveLength(new Set(rows).size);
  });
});

/** Public members of the exported class `name` in a source file: methods, getters and properties without `private` / `protected` / `#`. */
const publicMembers = (source: string, name: string): string[] => {
  const file = ts.createSourceFile('client.ts', source, ts.ScriptTarget.Latest, true);
  const members: string[] = [];
  file.forEachChild(node => {
    if (!ts.isClassDeclaration(node) || node.name?.text !== name) return;
    for (const member of node.members) {
      if (ts.isConstructorDeclaration(member) || !member.name || ts.isPrivateIdentifier(member.name)) continue;
      const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
      if (modifiers.some(m => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
      members.push(member.name.getText(file));
    }
  });
  return [...new Set(members)];
};

describe('wiki/client.md', () => {
  test('the members table lists every public method and property of WebSocketClient (request() included)', async () => {
    const members = publicMembers(await read('src/client/client.ts'), 'WebSocketClient');
    expect(members).toContain('request');
    // Every public member the parser found is really on the class (so the parse cannot go stale).
    for (const member of members) expect([member, member in WebSocketClient.prototype]).toEqual([member, true]);
    const documented = firstCells(clientPage, '## Properties and methods').flatMap(cell =>
      codeSpans(cell).map(span => /^[A-Za-z_$][\w$]*/.exec(span)?.[0] ?? span),
    );
    expect(sorted([...new Set(documented)])).toEqual(sorted(members));
  });

  test('the client-side error-code table lists every WebSocketClientErrorCodes value, once', () => {
    const rows = firstCells(clientPage, 'Client-side codes (`WebSocketClientErrorCodes`), on the `error` event or on a rejected promise:').map(cell => codeSpans(cell)[0]);
    expect(sorted(rows.filter((code): code is string => code !== undefined))).toEqual(sorted(constantValues(WebSocketClientErrorCodes).map(String)));
    expect(rows).toHaveLength(new Set(rows).size);
  });
});
