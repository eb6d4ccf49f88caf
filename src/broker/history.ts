/**
 * Per-channel history (wiki/recovery.md): what a broker keeps of a room's messages so that a
 * client that reconnects can recover what it missed. A message with history is written to the
 * history and published in one step (one Lua script on Redis, one call on the in-memory hub), so
 * a live subscriber never sees a message the history lacks, nor the other way round.
 * Backends: `InMemoryHistory` (history-memory.ts) and the Redis scripts (history-redis-scripts.ts).
 */
import type { IRedisSocketMessage, IStreamPosition } from '../protocol/index.js';

/** How much of a channel's history is kept: at least `size` messages, none older than `ttlSeconds` (0: no age bound). */
export interface IHistoryPolicy {
  size: number;
  ttlSeconds: number;
}

/** One message read back from a history, with its position. */
export interface IHistoryEntry {
  pos: IStreamPosition;
  message: IRedisSocketMessage;
}

/** What one history read found. */
export interface IHistoryRead {
  /** The channel's epoch now (created by the read when the channel had none). */
  epoch: string;
  /** Offset of the newest message kept, `0-0` when there is none. */
  top: string;
  /** Highest offset ever trimmed or lost from this epoch (`0-0`: nothing); a position below it may have missed messages. */
  trimmed: string;
  /** Messages after `after` (all kept when undefined), oldest first, at most `limit` (newest ones when `after` is undefined). */
  entries: IHistoryEntry[];
}

/** A history read: messages after `after` (or the newest `limit` when undefined). */
export interface IHistoryQuery {
  after?: string;
  limit?: number;
  policy: IHistoryPolicy;
}

/** The first offset of any history: a position before every message. */
export const HISTORY_START_OFFSET = '0-0';
