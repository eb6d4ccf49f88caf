/**
 * Positions in the rooms with history (wiki/recovery.md, "The client library"): keeps the last
 * position per joined room, gives it as `since` when the room is joined again, and merges what the
 * server recovers with what arrives live so the app sees each message once, in history order.
 *
 * While a join of a room is in flight its live frames are held; when `joined` arrives its
 * recovered messages are delivered first, then the held frames above the last recovered offset.
 * After that a live frame whose offset is not above the last one delivered is a duplicate.
 */
import { compareOffsets, type IStreamPosition, type IWebSocketMessage } from '../protocol/types.js';
import type { IWebSocketClientRecoveryEvent } from './types.js';

/** What the streams hand back to the client. */
export interface IRoomStreamsHost {
  /** Delivers one message (recovered or live) to the app's handlers. */
  deliver(message: IWebSocketMessage): void;
  /** Reports the outcome of a recovery (a join that carried `since`). */
  report(event: IWebSocketClientRecoveryEvent): void;
}

interface IRoomState {
  /** Position to recover from: the newest known (delivered, recovered or the room's at join). */
  pos?: IStreamPosition;
  /** Newest position delivered to the app; live frames at or below it (same epoch) are duplicates. */
  floor?: IStreamPosition;
}

const isPosition = (value: unknown): value is IStreamPosition =>
  typeof value === 'object' && value !== null && typeof (value as IStreamPosition).offset === 'string' && typeof (value as IStreamPosition).epoch === 'string';

const newer = (a: IStreamPosition | undefined, b: IStreamPosition): IStreamPosition =>
  !a || a.epoch !== b.epoch || compareOffsets(b.offset, a.offset) > 0 ? b : a;

/** One room's entry of `joined.history`, read defensively. */
const readEntry = (value: unknown): { pos: IStreamPosition; recovered?: boolean; messages: IWebSocketMessage[] } | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  if (!isPosition(entry.pos)) return undefined;
  const messages: IWebSocketMessage[] = [];
  for (const item of Array.isArray(entry.messages) ? entry.messages : []) {
    const m = item as Record<string, unknown>;
    if (typeof m?.event === 'string' && isPosition(m.pos)) messages.push({ event: m.event, data: m.data, pos: m.pos });
  }
  return typeof entry.recovered === 'boolean' ? { pos: entry.pos, recovered: entry.recovered, messages } : { pos: entry.pos, messages };
};

/** Per-room positions, held frames and the recovered/live merge. */
export class RoomStreams {
  private readonly rooms = new Map<string, IRoomState>();
  /** Joins in flight per room (a room may be asked for twice at once). */
  private readonly pending = new Map<string, number>();
  private readonly held = new Map<string, IWebSocketMessage[]>();

  constructor(private readonly host: IRoomStreamsHost) {}

  /** A join of `rooms` is being sent: holds their live frames; returns `since` for those with a position. */
  begin(rooms: string[]): Record<string, IStreamPosition> {
    const since: Record<string, IStreamPosition> = {};
    for (const room of rooms) {
      this.pending.set(room, (this.pending.get(room) ?? 0) + 1);
      const pos = this.rooms.get(room)?.pos;
      if (pos) since[room] = { ...pos };
    }
    return since;
  }

  /** The join of `rooms` was answered (`history`: `joined.history`) or failed (none): applies it, then releases held frames. */
  settle(rooms: string[], history: unknown, since: Record<string, IStreamPosition>): void {
    const entries = typeof history === 'object' && history !== null ? (history as Record<string, unknown>) : {};
    for (const room of rooms) {
      const entry = Object.hasOwn(entries, room) ? readEntry(entries[room]) : undefined;
      if (entry) this.applyHistory(room, entry, Object.hasOwn(since, room));
      const left = (this.pending.get(room) ?? 1) - 1;
      if (left > 0) {
        this.pending.set(room, left);
        continue;
      }
      this.pending.delete(room);
      const frames = this.held.get(room) ?? [];
      this.held.delete(room);
      for (const frame of frames) if (this.accept(frame)) this.host.deliver(frame);
    }
  }

  /**
   * A live frame: true to deliver it now. Frames of a room being joined are held; frames at or
   * below the last delivered offset of the same epoch are dropped as duplicates.
   */
  accept(message: IWebSocketMessage): boolean {
    const { room, pos } = message;
    if (typeof room !== 'string' || !isPosition(pos)) return true;
    if (this.pending.has(room)) {
      const frames = this.held.get(room) ?? [];
      frames.push(message);
      this.held.set(room, frames);
      return false;
    }
    const state = this.rooms.get(room) ?? {};
    const floor = state.floor;
    if (floor && floor.epoch === pos.epoch && compareOffsets(pos.offset, floor.offset) <= 0) return false;
    state.floor = pos;
    state.pos = newer(state.pos, pos);
    this.rooms.set(room, state);
    return true;
  }

  /** Forgets rooms (left or refused): their next join starts without `since`. */
  forget(rooms: string[]): void {
    for (const room of rooms) this.rooms.delete(room);
  }

  /** Drops held frames and in-flight joins (the connection ended; a reconnect recovers what they held). */
  dropInFlight(): void {
    this.pending.clear();
    this.held.clear();
  }

  /** Forgets everything (the client closed for good). */
  clear(): void {
    this.dropInFlight();
    this.rooms.clear();
  }

  private applyHistory(room: string, entry: ReturnType<typeof readEntry> & object, askedToRecover: boolean): void {
    const state = this.rooms.get(room) ?? {};
    this.rooms.set(room, state);
    if (!askedToRecover) {
      // A first join: nothing was delivered from history, so nothing live can duplicate it.
      state.pos = newer(state.pos, entry.pos);
      return;
    }
    const recovered = entry.recovered === true;
    if (recovered) {
      for (const message of entry.messages) this.host.deliver({ ...message, room });
      // Everything up to the position read is now delivered: the newest recovered message, or `since` itself.
      const last = entry.messages.at(-1)?.pos;
      state.pos = state.floor = last ? newer(entry.pos, last) : entry.pos;
    } else {
      // The app reloads its state now; live frames from here on are above the room's position.
      state.pos = entry.pos;
      state.floor = entry.pos;
    }
    this.host.report({ room, recovered, messages: recovered ? entry.messages.length : 0 });
  }
}
