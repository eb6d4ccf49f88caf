/**
 * The members this node holds in the rooms that have presence, written to the store under this
 * node's lease. Every room has one queue: joins and leaves made while a write is out gather and
 * go as the next batch (one store call, applied in order), the interval's lease refresh and any
 * rewrite after a lapse wait their turn in the same queue, so writes of one room never overtake
 * each other and a burst of 2,000 joins costs a handful of calls. `presence:join` /
 * `presence:leave` go out once the write is answered, so a member who hears one and asks
 * `getPresence` sees the change. Docs: wiki/presence.md
 */
import type { IPresenceMember, IPresenceStore, TPresenceOp } from '../broker/presence.js';
import type { LogThrottle } from '../logging/log-throttle.js';
import { WebSocketEvents, type AnyObject } from '../protocol/index.js';
import type { IResolvedPresenceOptions } from './options.js';
import type { IWebSocketClient, IWebSocketPresenceEvent } from './types.js';

/** Delivers a presence event to a room's members on this node and publishes it for the others. */
export type TPresenceEventSink = (room: string, event: string, data: IWebSocketPresenceEvent) => void;

/** A change not written yet, with the member its event names. */
interface IQueued {
  op: TPresenceOp;
  member: IPresenceMember;
}

/** One room on this node. */
interface IRoomState {
  members: Map<string, IPresenceMember>;
  queued: IQueued[];
  /** Write the members whole next: after a lapse (`announce`: they had been reported gone) or a failed write. */
  rejoin?: 'announce' | 'silent';
  refreshDue: boolean;
  /** A write failed: the next refresh writes the room whole. */
  dirty: boolean;
  flushing: boolean;
}

export class RoomPresence<MetadataType extends AnyObject> {
  private readonly states = new Map<string, IRoomState>();

  constructor(
    private readonly store: IPresenceStore,
    private readonly node: string,
    private readonly covers: (room: string) => boolean,
    private readonly announces: ((room: string) => boolean) | undefined,
    private readonly info: IResolvedPresenceOptions['info'],
    private readonly sink: TPresenceEventSink,
    private readonly track: (work: Promise<unknown>) => void,
    private readonly logs: LogThrottle,
  ) {}

  joined(client: IWebSocketClient<MetadataType>, room: string): void {
    if (!this.covers(room)) return;
    const member = this.memberOf(client);
    let state = this.states.get(room);
    if (!state) this.states.set(room, (state = { members: new Map(), queued: [], refreshDue: false, dirty: false, flushing: false }));
    state.members.set(client.id, member);
    state.queued.push({ op: { add: member }, member });
    this.schedule(room, state);
  }

  left(client: IWebSocketClient<MetadataType>, room: string): void {
    const state = this.states.get(room);
    const member = state?.members.get(client.id);
    if (!state || !member) return;
    state.members.delete(client.id);
    state.queued.push({ op: { remove: client.id }, member });
    this.schedule(room, state);
  }

  /** Queues the lease refresh of every room this node holds (a room whose write failed is written whole instead). */
  refresh(): void {
    for (const [room, state] of this.states) {
      if (state.dirty) {
        state.dirty = false;
        state.rejoin ??= 'silent';
      } else if (state.members.size > 0) {
        state.refreshDue = true;
      }
      this.schedule(room, state);
    }
  }

  private schedule(room: string, state: IRoomState): void {
    if (state.flushing) return; // the running flush takes whatever is queued when its write is answered
    state.flushing = true;
    this.track(this.flush(room, state));
  }

  private async flush(room: string, state: IRoomState): Promise<void> {
    await Promise.resolve(); // what the current task queues goes in the same batch
    try {
      for (;;) {
        let ok: boolean;
        if (state.rejoin) {
          const announce = state.rejoin === 'announce';
          state.rejoin = undefined;
          ok = await this.writeWhole(room, state, state.queued.splice(0), announce);
        } else if (state.queued.length > 0) {
          ok = await this.writeBatch(room, state, state.queued.splice(0));
        } else if (state.refreshDue) {
          state.refreshDue = false;
          ok = await this.refreshRoom(room, state);
        } else {
          break;
        }
        if (!ok) break;
      }
    } finally {
      state.flushing = false;
      if (state.members.size === 0 && state.queued.length === 0 && !state.dirty) this.states.delete(room);
    }
  }

  private async writeBatch(room: string, state: IRoomState, batch: IQueued[]): Promise<boolean> {
    let lapsed: boolean;
    try {
      lapsed = await this.store.apply(this.node, room, batch.map(queued => queued.op));
    } catch (error) {
      return this.failed(room, state, batch, error);
    }
    this.announceAll(room, batch);
    if (!lapsed) return true;
    // This node had nothing there: members not in this batch had lapsed (or the store lost them), write them back.
    const added = new Set(batch.flatMap(queued => ('add' in queued.op ? [queued.member.clientId] : [])));
    if (![...state.members.keys()].some(id => !added.has(id))) return true;
    return this.writeWhole(room, state, [], true, added);
  }

  private async writeWhole(room: string, state: IRoomState, batch: IQueued[], announce: boolean, announced = new Set<string>()): Promise<boolean> {
    const members = [...state.members.values()];
    try {
      await this.store.rejoin(this.node, room, members);
    } catch (error) {
      return this.failed(room, state, batch, error);
    }
    this.announceAll(room, batch);
    if (!announce) return true;
    for (const queued of batch) if ('add' in queued.op) announced.add(queued.member.clientId);
    for (const member of members) if (!announced.has(member.clientId)) this.announce(room, WebSocketEvents.PRESENCE_JOIN, member);
    return true;
  }

  private async refreshRoom(room: string, state: IRoomState): Promise<boolean> {
    try {
      const { lapsed, expired } = await this.store.refresh(this.node, room);
      // Members of a node whose lease ran out: this refresh removed them, no other node will report them.
      for (const member of expired) this.announce(room, WebSocketEvents.PRESENCE_LEAVE, member);
      if (lapsed && state.members.size > 0) state.rejoin = 'announce';
      return true;
    } catch (error) {
      return this.failed(room, state, [], error);
    }
  }

  /** The write is retried whole at the next refresh; its events go out now (the members did join or leave here). */
  private failed(room: string, state: IRoomState, batch: IQueued[], error: unknown): false {
    state.dirty = true;
    this.logs.warn('presence-write', `presence write failed; the room is written again at the next refresh: ${error}`);
    this.announceAll(room, batch);
    return false;
  }

  private announceAll(room: string, batch: IQueued[]): void {
    for (const { op, member } of batch) this.announce(room, 'add' in op ? WebSocketEvents.PRESENCE_JOIN : WebSocketEvents.PRESENCE_LEAVE, member);
  }

  private announce(room: string, event: string, member: IPresenceMember): void {
    if (!this.announces?.(room)) return;
    const data: IWebSocketPresenceEvent = { room, clientId: member.clientId };
    if (member.userId !== undefined) data.userId = member.userId;
    if (member.info !== undefined) data.info = member.info;
    try {
      this.sink(room, event, data);
    } catch (error) {
      this.logs.error('presence-event', `sending ${event} failed: ${error}`);
    }
  }

  private memberOf(client: IWebSocketClient<MetadataType>): IPresenceMember {
    const member: IPresenceMember = { clientId: client.id };
    if (client.userId !== undefined) member.userId = client.userId;
    if (!this.info) return member;
    try {
      const info = this.info({ clientId: client.id, userId: client.userId, metadata: client.metadata });
      if (info !== undefined && info !== null) member.info = info;
    } catch (error) {
      this.logs.error('presence-info', 'presence.info threw; the member is listed without info:', error);
    }
    return member;
  }
}
