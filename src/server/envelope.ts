import { z } from 'zod';
import { MAX_ROOM_NAME_LENGTH, MAX_ROOMS_PER_REQUEST, WebSocketErrorCodes, type IWebSocketMessage, type TWebSocketErrorCode } from '../protocol';

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

/** Parses and validates one text frame. */
export const readEnvelope = (raw: string): TEnvelopeResult => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, code: WebSocketErrorCodes.INVALID_JSON, message: 'Invalid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, code: WebSocketErrorCodes.INVALID_MESSAGE, message: 'Message must be a JSON object { event, data?, id? }' };
  }
  const result = envelopeSchema.safeParse(parsed);
  if (result.success) return { ok: true, message: result.data };
  const id = (parsed as { id?: unknown }).id;
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
});
