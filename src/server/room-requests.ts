import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketDefaults, WebSocketErrorCodes, WebSocketEvents, isClientIdShaped, MAX_ROOM_NAME_LENGTH, MAX_ROOMS_PER_REQUEST, type AnyObject, type IStreamPosition } from '../protocol/index.js';
import { type IWebSocketClient, type TWebSocketValidateRoomFn } from './types.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry } from './client-registry.js';
import { roomsRequestSchema } from './envelope.js';
import type { ClientMessenger } from './messenger.js';
import type { RoomHistory, IWebSocketHistoryResult } from './history.js';

/** Names a client may never ask for: internal `ws:` names and client-id-shaped names. */
export const isReservedRoom = (room: string): boolean =>
  room.startsWith(WebSocketDefaults.RESERVED_ROOM_PREFIX) || isClientIdShaped(room);

const isRoomName = (room: unknown): room is string => typeof room === 'string' && room.length > 0 && room.length <= MAX_ROOM_NAME_LENGTH;

/** `{ rooms: string[] }` with sane names (deduplicated), or undefined. */
const readRooms = (data: unknown): { rooms: string[]; since: Record<string, IStreamPosition> } | undefined => {
  // The plain join (no `since`) checked by hand, as strictly as the schema; the schema decides the rest.
  const plain = data as { rooms?: unknown; since?: unknown } | null;
  if (typeof plain === 'object' && plain !== null && plain.since === undefined) {
    const { rooms } = plain;
    if (Array.isArray(rooms) && rooms.length > 0 && rooms.length <= MAX_ROOMS_PER_REQUEST && rooms.every(isRoomName)) {
      return { rooms: [...new Set(rooms)], since: {} };
    }
  }
  const result = roomsRequestSchema.safeParse(data);
  return result.success ? { rooms: [...new Set(result.data.rooms)], since: result.data.since ?? {} } : undefined;
};

/**
 * Client `join` / `leave` requests. Reserved names are refused before `validateRoomFn` sees
 * them; without `validateRoomFn` every join is refused. Each request is answered with `joined`
 * or `left` naming what happened, so clients never guess; `joined` is sent once the broker has
 * acknowledged the room's subscription, so it also means "reachable from every node".
 */
export class RoomRequests<MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly validateRoomFn: TWebSocketValidateRoomFn | undefined,
    private readonly maxRoomsPerClient: number,
    private readonly messenger: ClientMessenger<MetadataType>,
    logger: Logger,
    private readonly history?: RoomHistory,
  ) {
    this.logs = new LogThrottle(logger);
  }

  async handle(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): Promise<void> {
    const request = readRooms(data);
    if (!request) {
      this.messenger.error(
        client,
        WebSocketErrorCodes.INVALID_ROOMS,
        `'${event}' needs { rooms: string[] } with 1-${MAX_ROOMS_PER_REQUEST} non-empty names of at most ${MAX_ROOM_NAME_LENGTH} characters`,
        id,
      );
      return;
    }
    if (event === WebSocketEvents.JOIN) await this.join(client, request.rooms, request.since, id);
    else this.leave(client, request.rooms, id);
  }

  private async join(client: IWebSocketClient<MetadataType>, rooms: string[], since: Record<string, IStreamPosition>, id?: string): Promise<void> {
    const candidates = rooms.filter(room => !isReservedRoom(room));
    let allowed = new Set<string>();
    if (this.validateRoomFn && candidates.length > 0) {
      try {
        const granted = await this.validateRoomFn({ clientId: client.id, userId: client.userId, rooms: candidates });
        // validateRoomFn can only narrow the request, never widen it.
        if (Array.isArray(granted)) allowed = new Set(granted.filter(room => candidates.includes(room)));
      } catch (error) {
        this.logs.warn('validate-room-threw', `validateRoomFn threw (client ${client.id}); refusing the join: ${(error as Error)?.message ?? error}`);
      }
      if (this.registry.clients.get(client.id) !== client) return;
    }
    this.applyRoomCap(client, allowed);
    let subscribed = false;
    for (const room of allowed) subscribed = this.registry.join(client, room) || subscribed;
    if (subscribed) {
      // Answer once the node listens for the rooms everywhere: after `joined`, a message sent to
      // the room from any node reaches this client. Bounded, so a Redis outage cannot stall joins.
      await this.registry.interestSettled(WebSocketDefaults.INTEREST_SETTLE_WAIT);
      if (this.registry.clients.get(client.id) !== client) return;
    }
    const joined = rooms.filter(room => allowed.has(room));
    const refused = rooms.filter(room => !allowed.has(room));
    const history = await this.readHistory(joined, since);
    if (this.registry.clients.get(client.id) !== client) return;
    this.messenger.system(client, WebSocketEvents.JOINED, history ? { rooms: joined, refused, history } : { rooms: joined, refused }, id);
  }

  /**
   * For each joined room with history: its position now and, when the client sent one, what it
   * missed since (wiki/recovery.md). Read after the room's subscription is in place, so every
   * message is either in this read or arrives live (the client drops the overlap by offset).
   */
  private async readHistory(rooms: string[], since: Record<string, IStreamPosition>): Promise<Record<string, IWebSocketHistoryResult> | undefined> {
    const history = this.history;
    if (!history) return undefined;
    const withHistory = rooms.filter(room => history.policyOf(room));
    if (withHistory.length === 0) return undefined;
    const results: Record<string, IWebSocketHistoryResult> = {};
    await Promise.all(
      withHistory.map(async room => {
        const from = Object.hasOwn(since, room) ? since[room] : undefined;
        try {
          results[room] = await history.read(room, from ? { since: from } : { limit: 0 });
        } catch (error) {
          this.logs.warn('history-read-failed', `reading the history of a room failed; the client is told it cannot recover: ${(error as Error)?.message ?? error}`);
          results[room] = { pos: { offset: '0-0', epoch: '' }, recovered: false, messages: [] };
        }
      }),
    );
    return results;
  }

  /** Drops new rooms past `maxRoomsPerClient` (own-id room not counted; 0 disables). */
  private applyRoomCap(client: IWebSocketClient<MetadataType>, allowed: Set<string>): void {
    if (this.maxRoomsPerClient <= 0) return;
    let held = client.rooms.size - 1;
    for (const room of [...allowed]) {
      if (client.rooms.has(room)) continue;
      if (held >= this.maxRoomsPerClient) allowed.delete(room);
      else held++;
    }
  }

  private leave(client: IWebSocketClient<MetadataType>, rooms: string[], id?: string): void {
    const left: string[] = [];
    const refused: string[] = [];
    for (const room of rooms) {
      if (room === client.id) refused.push(room);
      else if (this.registry.leave(client, room)) left.push(room);
    }
    this.messenger.system(client, WebSocketEvents.LEFT, { rooms: left, refused }, id);
  }
}
