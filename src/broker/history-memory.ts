import { randomUUID } from 'node:crypto';
import { compareOffsets, type IRedisSocketMessage, type IStreamPosition } from '../protocol/index.js';
import { HISTORY_START_OFFSET, type IHistoryPolicy, type IHistoryQuery, type IHistoryRead } from './history.js';

interface IStored {
  seq: number;
  at: number;
  message: IRedisSocketMessage;
}

interface IStream {
  epoch: string;
  /** Oldest first; a ring in effect: trimmed from the front. */
  entries: IStored[];
  next: number;
  trimmed: number;
}

const offsetOf = (seq: number): string => `0-${seq}`;
const seqOf = (offset: string): number => Number(offset.split('-')[1] ?? 0);

/**
 * The in-memory history of one process (held by `InMemoryHub`), with the Redis backend's
 * semantics: offsets `0-<n>` increase per channel, each channel has a random epoch (a restarted
 * process has new ones), and what falls out by size or age is remembered as `trimmed`.
 */
export class InMemoryHistory {
  private readonly streams = new Map<string, IStream>();

  /** Appends a message and returns its position. */
  append(channel: string, message: IRedisSocketMessage, policy: IHistoryPolicy): IStreamPosition {
    const stream = this.stream(channel);
    const seq = stream.next++;
    stream.entries.push({ seq, at: Date.now(), message });
    this.trim(stream, policy);
    return { offset: offsetOf(seq), epoch: stream.epoch };
  }

  read(channel: string, query: IHistoryQuery): IHistoryRead {
    const stream = this.stream(channel);
    this.trim(stream, query.policy);
    const after = query.after === undefined ? undefined : seqOf(query.after);
    let kept = after === undefined ? stream.entries : stream.entries.filter(entry => entry.seq > after);
    if (query.limit !== undefined) kept = after === undefined ? kept.slice(Math.max(0, kept.length - query.limit)) : kept.slice(0, query.limit);
    const last = stream.entries.at(-1);
    return {
      epoch: stream.epoch,
      top: last ? offsetOf(last.seq) : HISTORY_START_OFFSET,
      trimmed: offsetOf(stream.trimmed),
      entries: kept.map(entry => ({ pos: { offset: offsetOf(entry.seq), epoch: stream.epoch }, message: entry.message })),
    };
  }

  private stream(channel: string): IStream {
    let stream = this.streams.get(channel);
    if (!stream) {
      stream = { epoch: randomUUID(), entries: [], next: 1, trimmed: 0 };
      this.streams.set(channel, stream);
    }
    return stream;
  }

  private trim(stream: IStream, policy: IHistoryPolicy): void {
    const oldest = policy.ttlSeconds > 0 ? Date.now() - policy.ttlSeconds * 1000 : -Infinity;
    let drop = Math.max(0, stream.entries.length - policy.size);
    while (drop < stream.entries.length && stream.entries[drop]!.at < oldest) drop++;
    if (drop === 0) return;
    stream.trimmed = stream.entries[drop - 1]!.seq;
    stream.entries.splice(0, drop);
  }
}

/** Whether a client at `since` missed nothing the history lost: same epoch, and not below what was trimmed. */
export const isRecoverable = (since: IStreamPosition, read: Pick<IHistoryRead, 'epoch' | 'trimmed' | 'top'>): boolean =>
  since.epoch === read.epoch && compareOffsets(since.offset, read.trimmed) >= 0 && compareOffsets(since.offset, read.top) <= 0;
