import { z } from 'zod';
import { MAX_ROOM_NAME_LENGTH, MAX_ROOMS_PER_REQUEST, WebSocketErrorCodes, type IWebSocketMessage, type TWebSocketErrorCode } from '../protocol/index.js';

/** Inbound envelope: `{ event, data?, id? }`; anything else is answered, never thrown. */
const envelopeSchema = z.object({
  event: z.string({ error: "'event' must be a string" }).min(1, "'event' must not be empty"),
  data: z.unknown().optional(),
  id: z.string({ error: "'id' must be a string when present" }).optional(),
});

/** Result of reading one text frame. */
export type TEnvelopeResult =
  | { ok: true; message: IWebSocketMessage }
  | { ok: false; code: TWebSocketErrorCode; message: string; id?: string };

const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "

/**
 * True when `raw` nests arrays/objects deeper than `max` levels (the envelope object is level 1).
 * One pass over the text before `JSON.parse`, nothing allocated: outside strings it counts
 * brackets; a string is skipped with `indexOf` to its closing quote (one not escaped by an odd
 * run of backslashes), so text inside strings costs next to nothing. A frame of 60 000 nested
 * arrays is refused after `max + 1` characters instead of being parsed and, worse, re-serialised
 * (about a second each time) whenever the app relays it.
 */
export const nestsDeeperThan = (raw: string, max: number): boolean => {
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === QUOTE) {
      for (;;) {
        i = raw.indexOf('"', i + 1);
        if (i === -1) return false; // unterminated string: JSON.parse refuses it
        let slashes = 0;
        while (raw.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
        if ((slashes & 1) === 0) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
};

/** Parses and validates one text frame; `maxDepth` 0 means no nesting limit. */
export const readEnvelope = (raw: string, maxDepth = 0): TEnvelopeResult => {
  if (maxDepth > 0 && nestsDeeperThan(raw, maxDepth)) {
    return { ok: false, code: WebSocketErrorCodes.TOO_DEEP, message: `Message nests deeper than ${maxDepth} levels of arrays/objects` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, code: WebSocketErrorCodes.INVALID_JSON, message: 'Invalid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, code: WebSocketErrorCodes.INVALID_MESSAGE, message: 'Message must be a JSON object { event, data?, id? }' };
  }
  // The well-formed frame, checked by hand (every frame comes this way; zod's parse allocates
  // several objects per call). Same output as the schema: only the three known keys are kept.
  const { event, data, id } = parsed as { event?: unknown; data?: unknown; id?: unknown };
  if (typeof event === 'string' && event.length > 0 && (id === undefined || typeof id === 'string')) {
    const message: IWebSocketMessage = { event };
    if (data !== undefined) message.data = data;
    if (id !== undefined) message.id = id;
    return { ok: true, message };
  }
  // Anything else: the schema names what is wrong.
  const result = envelopeSchema.safeParse(parsed);
  if (result.success) return { ok: true, message: result.data };
  return {
    ok: false,
    code: WebSocketErrorCodes.INVALID_MESSAGE,
    message: result.error.issues[0]?.message ?? 'Invalid message',
    id: typeof id === 'string' ? id : undefined,
  };
};

/** `join` / `leave` data: `{ rooms: string[] }` with 1-100 non-empty names of at most 256 characters. */
export const roomsRequestSchema = z.object({
  rooms: z.array(z.string().min(1).max(MAX_ROOM_NAME_LENGTH)).min(1).max(MAX_ROOMS_PER_REQUEST),
  /** Recovery (wiki/recovery.md): the last position the client holds per room. */
  since: z.record(z.string(), z.object({ offset: z.string().min(1).max(64), epoch: z.string().min(1).max(64) })).optional(),
});
