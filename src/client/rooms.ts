/**
 * Room membership as the client knows it: requests `join` / `leave` with an id, settles them
 * from the server's `joined` / `left` answers, and remembers what was joined so a reconnect can
 * ask for the same rooms again. Default rooms the server adds on its own are not tracked: the
 * server adds them again itself.
 */
import { WebSocketEvents } from '../protocol/constants.js';
import type { IWebSocketMessage } from '../protocol/types.js';
import { WebSocketClientDefaults, WebSocketClientErrorCodes } from './constants.js';
import { WebSocketClientError } from './errors.js';
import { readRoomsAck } from './frame.js';
import type { PendingRequests } from './pending-requests.js';
import type { IWebSocketRoomsAck } from './types.js';

/** What room requests need from the client. */
export interface IRoomMembershipHost {
  requests: PendingRequests;
  timeoutMs: number;
  /** Sends on the current connection; false when there is none. */
  transmit(message: IWebSocketMessage): boolean;
  /** Current state, for the NOT_CONNECTED message. */
  describeState(): string;
}

/** Rooms joined through this client, and the requests that change them. */
export class RoomMembership {
  private readonly joined = new Set<string>();

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
    return ack;
  }

  /** Asks for every tracked room again, in batches; the ones now refused are forgotten. */
  async rejoin(): Promise<IWebSocketRoomsAck> {
    const total: IWebSocketRoomsAck = { rooms: [], refused: [] };
    const rooms = this.list();
    for (let start = 0; start < rooms.length; start += WebSocketClientDefaults.REJOIN_BATCH_SIZE) {
      const ack = await this.join(rooms.slice(start, start + WebSocketClientDefaults.REJOIN_BATCH_SIZE));
      for (const room of ack.refused) this.joined.delete(room);
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
    if (message.id) this.host.requests.resolve(message.id, ack);
  }

  /** Forgets every room (after `close()` or a final disconnect). */
  clear(): void {
    this.joined.clear();
  }

  private request(event: string, rooms: string[]): Promise<IWebSocketRoomsAck> {
    const { requests, timeoutMs } = this.host;
    const id = requests.nextId();
    const answer = requests.wait<IWebSocketRoomsAck>({ id, timeoutMs, label: event });
    if (!this.host.transmit({ event, data: { rooms }, id })) {
      const message = `Cannot ${event} while ${this.host.describeState()}; wait for connect()`;
      requests.reject(id, new WebSocketClientError({ message, code: WebSocketClientErrorCodes.NOT_CONNECTED }));
    }
    return answer;
  }
}
