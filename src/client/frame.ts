/**
 * Turning raw server frames into messages without ever throwing: anything that is not a JSON
 * `{ event, data?, id? }` object comes back as `null` for the caller to report and drop.
 */
import type { AnyObject, IStreamPosition, IWebSocketMessage } from '../protocol/types.js';
import type { IWebSocketClientIssue, IWebSocketServerErrorExtras } from './types.js';

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
  const { event, data, id, room, pos } = value as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) return null;
  // Ids are ours (`req-N`), so a non-string id can never match a request: treat it as absent.
  const message: IWebSocketMessage = typeof id === 'string' ? { event, data, id } : { event, data };
  // A message of a room with history: its room and position (checked by RoomStreams before use).
  if (typeof room === 'string' && isPlainObject(pos) && typeof pos.offset === 'string' && typeof pos.epoch === 'string') {
    message.room = room;
    message.pos = { offset: pos.offset, epoch: pos.epoch } satisfies IStreamPosition;
  }
  return message;
};

/** A server error as the client reports it: message, code, the request id it answers, issues and details. */
export type TServerError = { message: string; code: string; id?: string } & IWebSocketServerErrorExtras;

const isPlainObject = (value: unknown): value is AnyObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The well-formed entries of `data.issues` (path of strings and numbers, a message); anything else is left out. */
const readIssues = (value: unknown): IWebSocketClientIssue[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const issues: IWebSocketClientIssue[] = [];
  for (const entry of value) {
    if (!isPlainObject(entry) || typeof entry.message !== 'string') continue;
    const path = Array.isArray(entry.path) ? entry.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : [];
    issues.push(typeof entry.code === 'string' ? { path, message: entry.message, code: entry.code } : { path, message: entry.message });
  }
  return issues;
};

/** `data.message` / `data.code` / `data.issues` / `data.details` of a server `error` event, with safe fallbacks. */
export const readServerError = (message: IWebSocketMessage): TServerError => {
  const data = isPlainObject(message.data) ? message.data : {};
  const error: TServerError = {
    message: typeof data.message === 'string' ? data.message : 'Server error',
    code: typeof data.code === 'string' ? data.code : 'UNKNOWN',
  };
  const id = typeof data.id === 'string' ? data.id : message.id;
  if (id !== undefined) error.id = id;
  const issues = readIssues(data.issues);
  if (issues) error.issues = issues;
  if (isPlainObject(data.details)) error.details = data.details;
  return error;
};

/** `{ rooms, refused }` of a `joined` / `left` answer, keeping only string entries. */
export const readRoomsAck = (data: unknown): { rooms: string[]; refused: string[] } => {
  const record = (data ?? {}) as Record<string, unknown>;
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return { rooms: strings(record.rooms), refused: strings(record.refused) };
};
