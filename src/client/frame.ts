/**
 * Turning raw server frames into messages without ever throwing: anything that is not a JSON
 * `{ event, data?, id? }` object comes back as `null` for the caller to report and drop.
 */
import type { IWebSocketMessage } from '../protocol/types.js';

const decoder = new TextDecoder();

/** Text of a frame: strings as they are, binary as UTF-8; `null` for anything else (e.g. Blob). */
export const frameToText = (raw: unknown): string | null => {
  if (typeof raw === 'string') return raw;
  if (raw instanceof ArrayBuffer) return decoder.decode(raw);
  if (ArrayBuffer.isView(raw)) return decoder.decode(raw);
  return null;
};

/** Parses one frame into a message; `null` when it is not JSON or not an `{ event }` object. */
export const parseServerMessage = (text: string): IWebSocketMessage | null => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { event, data, id } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) return null;
  // Ids are ours (`req-N`), so a non-string id can never match a request: treat it as absent.
  return typeof id === 'string' ? { event, data, id } : { event, data };
};

/** `data.message` / `data.code` of a server `error` event, with safe fallbacks. */
export const readServerError = (message: IWebSocketMessage): { message: string; code: string; id?: string } => {
  const data = (message.data ?? {}) as Record<string, unknown>;
  const text = typeof data.message === 'string' ? data.message : 'Server error';
  const code = typeof data.code === 'string' ? data.code : 'UNKNOWN';
  const id = typeof data.id === 'string' ? data.id : message.id;
  return id === undefined ? { message: text, code } : { message: text, code, id };
};

/** `{ rooms, refused }` of a `joined` / `left` answer, keeping only string entries. */
export const readRoomsAck = (data: unknown): { rooms: string[]; refused: string[] } => {
  const record = (data ?? {}) as Record<string, unknown>;
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return { rooms: strings(record.rooms), refused: strings(record.refused) };
};
