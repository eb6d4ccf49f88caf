/**
 * The option tables in wiki/server-helper.md list exactly the defaults of src/server/options.ts.
 */
import { expect, test } from 'bun:test';
import { WEBSOCKET_SERVER_DEFAULTS } from '../../src';

const page = await Bun.file(new URL('../../wiki/server-helper.md', import.meta.url)).text();

/** Rows `| \`name\` | \`value\` | ... |` of the table under `heading`, as name -> parsed value. */
const tableUnder = (heading: string): Map<string, unknown> => {
  const start = page.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, unknown>();
  const lines = page.slice(start).split('\n').slice(1);
  let inTable = false;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split('|').map(c => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const value = /^`([^`]+)`$/.exec(cells[2] ?? '')?.[1];
    if (name && value) rows.set(name, JSON.parse(value.replaceAll("'", '"')));
  }
  return rows;
};

test('the Options table holds every top-level default of WEBSOCKET_SERVER_DEFAULTS', () => {
  const rows = tableUnder('## Options');
  const { serverOptions, protection, broker, presence, ...topLevel } = WEBSOCKET_SERVER_DEFAULTS;
  for (const [name, value] of Object.entries(topLevel)) expect([name, rows.get(name)]).toEqual([name, value]);
  expect(rows.size).toBe(Object.keys(topLevel).length);
});

test('the serverOptions table holds every Bun native default', () => {
  const rows = tableUnder('### Bun native options');
  expect(Object.fromEntries(rows)).toEqual({ ...WEBSOCKET_SERVER_DEFAULTS.serverOptions });
});

test('the protection table holds every protection default', () => {
  const rows = tableUnder('### Protection');
  const { rateLimit, ...rest } = WEBSOCKET_SERVER_DEFAULTS.protection;
  const flat: Record<string, unknown> = { ...rest };
  for (const [key, value] of Object.entries(rateLimit || {})) flat[`rateLimit.${key}`] = value;
  expect(Object.fromEntries(rows)).toEqual(flat);
});

test('the broker table holds every broker default', () => {
  const rows = tableUnder('### Broker');
  expect(Object.fromEntries(rows)).toEqual({ ...WEBSOCKET_SERVER_DEFAULTS.broker });
});

test('the presence table holds every presence default', () => {
  const rows = tableUnder('### Presence');
  expect(Object.fromEntries(rows)).toEqual({ ...WEBSOCKET_SERVER_DEFAULTS.presence });
});
