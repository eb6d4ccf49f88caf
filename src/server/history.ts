import { getError } from '@venizia/ignis-helpers';
import type { IWebSocketBroker } from '../broker/index.js';
import type { IHistoryEntry, IHistoryPolicy, IHistoryRead } from '../broker/history.js';
import { isRecoverable } from '../broker/history-memory.js';
import { WebSocketChannels, compareOffsets, type IStreamPosition } from '../protocol/index.js';

/** Picks the history of a room: `false` for none, or how much to keep (option `history.rooms`). */
export type TWebSocketHistoryPolicyFn = (room: string) => false | IHistoryPolicy;

/** One message as a client receives it from history. */
export interface IWebSocketHistoryMessage {
  event: string;
  data: unknown;
  pos: IStreamPosition;
}

/** What a recovery or history read answers for one room. */
export interface IWebSocketHistoryResult {
  /** The room's position now: the newest message's, or the start of the epoch when it has none. */
  pos: IStreamPosition;
  /** With `since`: whether every message after it is in `messages` (false: the gap is older than the history, or the epoch changed). */
  recovered?: boolean;
  messages: IWebSocketHistoryMessage[];
}

/** ms concurrent reads of one room wait to be merged into one stream read. */
const MERGE_WINDOW_MS = 20;

interface IWaiter {
  since?: IStreamPosition;
  limit?: number;
  resolve(result: IWebSocketHistoryResult): void;
  reject(error: unknown): void;
}

/**
 * Room history on the server (wiki/recovery.md): which rooms have one, and reads of it. Reads of
 * one room made within `MERGE_WINDOW_MS` of each other (a thundering herd of reconnects) become
 * one stream read from the oldest position asked for; each caller gets its own slice.
 */
export class RoomHistory {
  private readonly batches = new Map<string, IWaiter[]>();
  /** Stream reads made (for tests and measurements: merged reads make this far lower than requests). */
  reads = 0;

  constructor(
    private readonly broker: IWebSocketBroker,
    private readonly policyFn: TWebSocketHistoryPolicyFn | undefined,
  ) {
    if (policyFn && broker.kind === 'redis-cluster') {
      throw getError({
        message: `[historyFn] room history is not available on a Redis Cluster yet (its write and publish must be one atomic step on the room's slot, which is not built); remove historyFn, or give the nodes a single (non-cluster) Redis. See wiki/recovery.md`,
      });
    }
  }

  /** The room's history policy, or undefined when it keeps none. */
  policyOf(room: string): IHistoryPolicy | undefined {
    const policy = this.policyFn?.(room);
    return policy ? policy : undefined;
  }

  /** Messages of a room after `since` (recovery), or its newest `limit` without one. */
  read(room: string, opts: { since?: IStreamPosition; limit?: number } = {}): Promise<IWebSocketHistoryResult> {
    return new Promise((resolve, reject) => {
      const waiters = this.batches.get(room);
      const waiter: IWaiter = { ...opts, resolve, reject };
      if (waiters) {
        waiters.push(waiter);
        return;
      }
      this.batches.set(room, [waiter]);
      setTimeout(() => void this.flush(room), MERGE_WINDOW_MS);
    });
  }

  private async flush(room: string): Promise<void> {
    const waiters = this.batches.get(room) ?? [];
    this.batches.delete(room);
    const policy = this.policyOf(room);
    if (!policy) {
      for (const waiter of waiters) waiter.resolve({ pos: { offset: '0-0', epoch: '' }, messages: [] });
      return;
    }
    // One read serves all: from the oldest `since` when every waiter has one, else everything kept.
    let after: string | undefined;
    if (waiters.every(waiter => waiter.since)) {
      after = waiters.map(waiter => waiter.since!.offset).reduce((a, b) => (compareOffsets(a, b) <= 0 ? a : b));
    }
    let read: IHistoryRead;
    try {
      this.reads++;
      read = await this.broker.readHistory(WebSocketChannels.forRoom({ room }), { after, policy });
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve(sliceFor(waiter, read));
  }
}

const toClient = (entry: IHistoryEntry): IWebSocketHistoryMessage => ({ event: entry.message.event, data: entry.message.data, pos: entry.pos });

const sliceFor = (waiter: IWaiter, read: IHistoryRead): IWebSocketHistoryResult => {
  const pos = { offset: read.top, epoch: read.epoch };
  if (!waiter.since) {
    const entries = waiter.limit === undefined ? read.entries : read.entries.slice(Math.max(0, read.entries.length - waiter.limit));
    return { pos, messages: entries.map(toClient) };
  }
  const since = waiter.since;
  if (!isRecoverable(since, read)) return { pos, recovered: false, messages: [] };
  let entries = read.entries.filter(entry => compareOffsets(entry.pos.offset, since.offset) > 0);
  if (waiter.limit !== undefined) entries = entries.slice(0, waiter.limit);
  return { pos, recovered: true, messages: entries.map(toClient) };
};
