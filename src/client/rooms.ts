/**
 * Room membership as the client knows it: requests `join` / `leave` with an id, settles them
 * from the server's `joined` / `left` answers, and remembers what was joined so a reconnect can
 * ask for the same rooms again. Default rooms the server adds on its own are not tracked: the
 * server adds them again itself. Joins of rooms with history carry `since` and settle through
 * `RoomStreams` (recovered messages first, live ones after).
 */
import { WebSocketEvents } from '../protocol/constants.js';
import type { IStreamPosition, IWebSocketMessage } from '../protocol/types.js';
import { WebSocketClientDefaults, WebSocketClientErrorCodes } from './constants.js';
import { WebSocketClientError } from './errors.js';
import { readRoomsAck } from './frame.js';
import type { PendingRequests } from './pending-requests.js';
import type { RoomStreams } from './room-streams.js';
import type { IWebSocketRoomsAck } from './types.js';

/** What room requests need from the client. */
export interface IRoomMembershipHost {
  requests: PendingRequests;
  streams: RoomStreams;
  timeoutMs: number;
  /** Sends on the current connection; false when there is none. */
  transmit(message: IWebSocketMessage): boolean;
  /** Current state, for the NOT_CONNECTED message. */
  describeState(): string;
}

/** Rooms joined through this client, and the requests that change them. */
export class RoomMembership {
  private readonly joined = new Set<string>();
  /** Joins sent and not answered yet, by request id: what was asked and the `since` it carried. */
  private readonly inFlight = new Map<string, { rooms: string[]; since: Record<string, IStreamPosition> }>();

  constructor(private readonly host: IRoomMembershipHost) {}

  /** Rooms joined through `join()` and not left since. */
  list(): string[] {
    return [...this.joined];
  }

  join(rooms: string[]): Promise<IWebSocketRoomsAck> {
    return this.request(WebSocketEvents.JOIN, rooms);
  }

  /** Leaves; the rooms are forgotten even if the server refused, so a reconnect will not re-join them. */
  async leave(rooms: string[]): Promise<IWebSocketRoomsAck> {
    const ack = await this.request(WebSocketEvents.LEAVE, rooms);
    for (const room of rooms) this.joined.delete(room);
    this.host.streams.forget(rooms);
    return ack;
  }

  /** Asks for every tracked room again, in batches; the ones now refused are forgotten. */
  async rejoin(): Promise<IWebSocketRoomsAck> {
    const total: IWebSocketRoomsAck = { rooms: [], refused: [] };
    const rooms = this.list();
    for (let start = 0; start < rooms.length; start += WebSocketClientDefaults.REJOIN_BATCH_SIZE) {
      const ack = await this.join(rooms.slice(start, start + WebSocketClientDefaults.REJOIN_BATCH_SIZE));
      for (const room of ack.refused) this.joined.delete(room);
      this.host.streams.forget(ack.refused);
      total.rooms.push(...ack.rooms);
      total.refused.push(...ack.refused);
    }
    return total;
  }

  /** Handles a `joined` / `left` frame: updates the tracked set and settles the request it answers. */
  applyAck(message: IWebSocketMessage): void {
    const ack = readRoomsAck(message.data);
    const joined = message.event === WebSocketEvents.JOINED;
    for (const room of ack.rooms) {
      if (joined) this.joined.add(room);
      else this.joined.delete(room);
    }
    const sent = message.id ? this.inFlight.get(message.id) : undefined;
    if (joined && sent && message.id) {
      this.inFlight.delete(message.id);
      const data = (message.data ?? {}) as Record<string, unknown>;
      this.host.streams.settle(sent.rooms, data.history, sent.since);
    }
    if (message.id) this.host.requests.resolve(message.id, ack);
  }

  /** The connection ended: unanswered joins are void, and so are the live frames held for them. */
  dropInFlight(): void {
    this.inFlight.clear();
    this.host.streams.dropInFlight();
  }

  /** Forgets every room (after `close()` or a final disconnect). */
  clear(): void {
    this.joined.clear();
    this.inFlight.clear();
    this.host.streams.clear();
  }

  private request(event: string, rooms: string[]): Promise<IWebSocketRoomsAck> {
    const { requests, timeoutMs } = this.host;
    const id = requests.nextId();
    const answer = requests.wait<IWebSocketRoomsAck>({ id, timeoutMs, label: event });
    let data: { rooms: string[]; since?: Record<string, IStreamPosition> } = { rooms };
    if (event === WebSocketEvents.JOIN) {
      const since = this.host.streams.begin(rooms);
      this.inFlight.set(id, { rooms, since });
      if (Object.keys(since).length > 0) data = { rooms, since };
      // Refused by an `error`, timed out or not sent: release the frames held for the join.
      answer.catch(() => {
        const sent = this.inFlight.get(id);
        if (!sent) return;
        this.inFlight.delete(id);
        this.host.streams.settle(sent.rooms, undefined, sent.since);
      });
    }
    if (!this.host.transmit({ event, data, id })) {
      const message = `Cannot ${event} while ${this.host.describeState()}; wait for connect()`;
      requests.reject(id, new WebSocketClientError({ message, code: WebSocketClientErrorCodes.NOT_CONNECTED }));
    }
    return answer;
  }
}
