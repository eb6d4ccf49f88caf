import { expect, test } from 'bun:test';
import { mkdirSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { defineEvent, defineServerEvents } from '../../src';
import { generateClientTypes } from '../../src/codegen';

const events = [
  defineEvent({
    event: 'chat:send',
    schema: z.object({ room: z.string(), text: z.string().max(500), mentions: z.array(z.string()).optional() }),
    replySchema: z.object({ id: z.string(), at: z.number() }),
    handler: () => ({ id: 'm1', at: 1 }),
  }),
  defineEvent({ event: 'game:move', schema: z.tuple([z.number().int(), z.number().int()]), handler: () => undefined }),
  defineEvent({ event: 'status:set', schema: z.enum(['online', 'away']).nullable(), handler: () => undefined }),
];
const serverEvents = defineServerEvents({
  'chat:message': z.object({ room: z.string(), text: z.string(), from: z.string(), 'x-meta': z.record(z.string(), z.number()).optional() }),
  'presence:count': z.number(),
});

test('generated maps describe every inbound event, every server event and each reply', () => {
  const source = generateClientTypes({ events, serverEvents });
  expect(source).toContain('"chat:send": {');
  expect(source).toContain('mentions?: Array<string>;');
  expect(source).toContain('"game:move": [number, number];');
  expect(source).toContain('"status:set": ("online" | "away") | null;');
  expect(source).toContain('"chat:send:reply": {');
  expect(source).toContain('"game:move:reply": unknown;');
  expect(source).toContain('"x-meta"?: {');
  expect(source).toContain('"presence:count": number;');
});

test('the generated module compiles, accepts right payloads and rejects wrong ones', async () => {
  const dir = 'test/.generated/client-types';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await Bun.write(`${dir}/events.generated.ts`, generateClientTypes({ events, serverEvents }));
  await Bun.write(
    `${dir}/use.ts`,
    [
      "import type { ClientEvents, ServerEvents } from './events.generated';",
      "export const ok1: ClientEvents['chat:send'] = { room: 'r', text: 't' };",
      "export const ok2: ClientEvents['game:move'] = [1, 2];",
      "export const ok3: ServerEvents['chat:send:reply'] = { id: 'x', at: 2 };",
      "export const ok4: ServerEvents['chat:message'] = { room: 'r', text: 't', from: 'f', 'x-meta': { a: 1 } };",
      '// @ts-expect-error text is required',
      "export const bad1: ClientEvents['chat:send'] = { room: 'r' };",
      '// @ts-expect-error not a tuple of numbers',
      "export const bad2: ClientEvents['game:move'] = ['a', 2];",
      '// @ts-expect-error not one of the enum values',
      "export const bad3: ClientEvents['status:set'] = 'busy';",
      '',
    ].join('\n'),
  );
  await Bun.write(
    `${dir}/tsconfig.json`,
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', skipLibCheck: true, types: [] }, include: ['*.ts'] }),
  );
  const tsc = Bun.spawnSync([process.execPath, 'node_modules/typescript/bin/tsc', '-p', dir], { stdout: 'pipe', stderr: 'pipe' });
  expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe('');
  expect(tsc.exitCode).toBe(0);
}, 60_000);
