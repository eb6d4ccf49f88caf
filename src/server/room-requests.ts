import type { Logger } from '@venizia/ignis-helpers';
import {
  WebSocketDefaults,
  WebSocketErrorCodes,
  WebSocketEvents,
  isClientIdShaped,
  type AnyObject,
  type IWebSocketClient,
  type TWebSocketErrorCode,
  type TWebSocketValidateRoomFn,
} from '../common';
import type { ClientRegistry } from './client-registry';

/** Most rooms one join or leave request may name. */
export const MAX_ROOMS_PER_REQUEST = 100;
/** Longest room name accepted from a client. */
export const MAX_ROOM_NAME_LENGTH = 256;

/** What room requests need from the helper to answer. */
export interface IRoomRequestsHost<MetadataType extends AnyObject> {
  sendError(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string): void;
  sendSystem(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): void;
}

/** Names a client may never ask for: internal `ws:` names and client-id-shaped names. */
export const isReservedRoom = (room: string): boolean =>
  room.startsWith(WebSocketDefaults.RESERVED_ROOM_PREFIX) || isClientIdShaped(room);

/** `{ rooms: string[] }` with sane names, or undefined. */
const readRooms = (data: unknown): string[] | undefined => {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const rooms = (data as { rooms?: unknown }).rooms;
  if (!Array.isArray(rooms) || rooms.length === 0 || rooms.length > MAX_ROOMS_PER_REQUEST) return undefined;
  for (const room of rooms) {
    if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM_NAME_LENGTH) return undefined;
  }
  return [...new Set(rooms as string[])];
};

/**
 * Client `join` / `leave` requests. Reserved names are refused before `validateRoomFn` sees
 * them; without `validateRoomFn` every join is refused. Each request is answered with `joined`
 * or `left` naming what happened, so clients never guess.
 */
export class RoomRequests<MetadataType extends AnyObject> {
  constructor(
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly validateRoomFn: TWebSocketValidateRoomFn | undefined,
    private readonly host: IRoomRequestsHost<MetadataType>,
    private readonly logger: Logger,
  ) {}

  async handle(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): Promise<void> {
    const rooms = readRooms(data);
    if (!rooms) {
      this.host.sendError(
        client,
        WebSocketErrorCodes.INVALID_ROOMS,
        `'${event}' needs { rooms: string[] } with 1-${MAX_ROOMS_PER_REQUEST} non-empty names of at most ${MAX_ROOM_NAME_LENGTH} characters`,
        id,
      );
      return;
    }
    if (event === WebSocketEvents.JOIN) await this.join(client, rooms, id);
    else this.leave(client, rooms, id);
  }

  private async join(client: IWebSocketClient<MetadataType>, rooms: string[], id?: string): Promise<void> {
    const candidates = rooms.filter(room => !isReservedRoom(room));
    let allowed = new Set<string>();
    if (this.validateRoomFn && candidates.length > 0) {
      try {
        const granted = await this.validateRoomFn({ clientId: client.id, userId: client.userId, rooms: candidates });
        // validateRoomFn can only narrow the request, never widen it.
        if (Array.isArray(granted)) allowed = new Set(granted.filter(room => candidates.includes(room)));
      } catch (error) {
        this.logger.warn(`validateRoomFn threw for client ${client.id}; refusing the join: ${(error as Error)?.message ?? error}`);
      }
      if (this.registry.clients.get(client.id) !== client) return;
    }
    for (const room of allowed) this.registry.join(client, room);
    const joined = rooms.filter(room => allowed.has(room));
    const refused = rooms.filter(room => !allowed.has(room));
    this.host.sendSystem(client, WebSocketEvents.JOINED, { rooms: joined, refused }, id);
  }

  private leave(client: IWebSocketClient<MetadataType>, rooms: string[], id?: string): void {
    const left: string[] = [];
    const refused: string[] = [];
    for (const room of rooms) {
      if (room === client.id) refused.push(room);
      else if (this.registry.leave(client, room)) left.push(room);
    }
    this.host.sendSystem(client, WebSocketEvents.LEFT, { rooms: left, refused }, id);
  }
}
