/**
 * Writes the client event maps for an app.
 *
 *   npm run generate:client-types -- <module exporting `events` and/or `serverEvents`> <out.ts>
 *
 * Example: npm run generate:client-types -- examples/chat/events.ts examples/chat/public/events.generated.ts
 */
import { resolve } from 'node:path';
import { generateClientTypes } from '../src/codegen/client-types';

const [moduleArg, outArg] = process.argv.slice(2);
if (!moduleArg || !outArg) {
  console.error('usage: npm run generate:client-types -- <module exporting events/serverEvents> <out.ts>');
  process.exit(2);
}
const mod = await import(resolve(moduleArg));
if (!mod.events && !mod.serverEvents) {
  console.error(`${moduleArg} exports neither 'events' (defineEvent list) nor 'serverEvents' (defineServerEvents)`);
  process.exit(2);
}
await Bun.write(resolve(outArg), generateClientTypes({ events: mod.events, serverEvents: mod.serverEvents }));
console.log(`wrote ${outArg}`);
