// Typed events of the packaging test's app: the bin generates src/events.generated.ts from them.
import { z } from 'zod';
import { defineEvent, defineServerEvents } from 'ignis-websocket';

type TTree = { label: string; children: TTree[] };
const tree: z.ZodType<TTree> = z.lazy(() => z.object({ label: z.string().describe('a label, not */ the end of a comment'), children: z.array(tree) }));

export const events = [
  defineEvent({ event: 'tree:put', schema: tree, replySchema: z.object({ count: z.number() }), handler: () => ({ count: 1 }) }),
];

export const serverEvents = defineServerEvents({
  news: z.object({ text: z.string() }),
});
