import { z } from 'zod';
import type { Logger } from '@venizia/ignis-helpers';
import { MAX_ROOM_NAME_LENGTH, WebSocketDefaults, WebSocketErrorCodes, WebSocketEvents, type AnyObject } from '../protocol/index.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { RoomHistory } from './history.js';
import type { ClientMessenger } from './messenger.js';
import type { IWebSocketClient } from './types.js';

/** Most messages one `history` request returns; also the default `limit`. */
export const MAX_HISTORY_REQUEST_LIMIT = 1_000;

const historyRequestSchema = z.object({
  room: z.string().min(1).max(MAX_ROOM_NAME_LENGTH),
  since: z.object({ offset: z.string().min(1).max(64), epoch: z.string().min(1).max(64) }).optional(),
  limit: z.number().int().min(0).max(MAX_HISTORY_REQUEST_LIMIT).optional(),
});

/**
 * A client's `history` request (wiki/recovery.md, "Reading history from a client"): allowed only
 * for a room the client is a member of, so the join policy (`validateRoomFn`) decides who reads
 * what. Answered with `history:reply` `{ room, pos, recovered?, messages }` or an `error`
 * `HISTORY_REFUSED`, both carrying the request id.
 */
export class HistoryRequests<MetadataType extends AnyObject> {
  private readonly logs: LogThrottle;

  constructor(
    private readonly history: RoomHistory,
    private readonly messenger: ClientMessenger<MetadataType>,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  async handle(client: IWebSocketClient<MetadataType>, data: unknown, id?: string): Promise<void> {
    const parsed = historyRequestSchema.safeParse(data);
    if (!parsed.success) {
      const text = `'history' needs { room, since?: { offset, epoch }, limit?: 0-${MAX_HISTORY_REQUEST_LIMIT} }`;
      return this.messenger.error(client, WebSocketErrorCodes.HISTORY_REFUSED, text, id);
    }
    const { room, since } = parsed.data;
    if (!client.rooms.has(room)) {
      return this.messenger.error(client, WebSocketErrorCodes.HISTORY_REFUSED, `Not a member of the room: join it before reading its history`, id);
    }
    const limit = parsed.data.limit ?? MAX_HISTORY_REQUEST_LIMIT;
    try {
      const result = await this.history.read(room, since ? { since, limit } : { limit });
      this.messenger.system(client, `${WebSocketEvents.HISTORY}${WebSocketDefaults.REPLY_SUFFIX}`, { room, ...result }, id);
    } catch (error) {
      this.logs.warn('history-request-failed', `reading the history of a room for a client failed: ${(error as Error)?.message ?? error}`);
      this.messenger.error(client, WebSocketErrorCodes.HISTORY_REFUSED, 'The history could not be read; try again', id);
    }
  }
}
