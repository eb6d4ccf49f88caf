/**
 * The broker's wire format, encoded and decoded here and nowhere else: the contract's
 * `IRedisSocketMessage` as JSON, and beside it the control commands of `ws:control`
 * (`TRedisControlMessage`, told apart by `type: 'control'`). Decoding validates with zod, so a
 * listener only ever sees a well-formed, typed envelope; anything else on a `ws:` channel is
 * reported as malformed. `routeInbound()` then decides where a well-formed envelope may go: by
 * the channel it arrived on, never by its own `type`/`target` alone, never as a protocol event,
 * and a command only from `ws:control`.
 */
import { getError } from '@venizia/ignis-helpers';
import { z } from 'zod';
import {
  WebSocketChannels,
  WebSocketCloseCodes,
  WebSocketControlActions,
  WebSocketDefaults,
  WebSocketEvents,
  WebSocketMessageTypes,
  type IRedisDisconnectCommand,
  type IRedisSocketMessage,
  type TRedisControlMessage,
  type TRedisEnvelope,
  type TWebSocketMessageType,
} from '../protocol/index.js';

const envelopeSchema = z
  .object({
    serverId: z.string().min(1),
    type: z.enum([
      WebSocketMessageTypes.CLIENT,
      WebSocketMessageTypes.USER,
      WebSocketMessageTypes.ROOM,
      WebSocketMessageTypes.BROADCAST,
    ]),
    target: z.string().optional(),
    event: z.string().min(1),
    data: z.unknown(),
    exclude: z.array(z.string()).optional(),
    /** A room message's position in the room's history (rooms with history only). */
    pos: z.object({ offset: z.string().min(1), epoch: z.string().min(1) }).optional(),
  })
  .refine(m => m.type === WebSocketMessageTypes.BROADCAST || m.target !== undefined, {
    message: "'target' is required unless type is 'broadcast'",
  });

/** Longest close reason a WebSocket close frame can carry, in UTF-8 bytes (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

const utf8 = new TextEncoder();

/** Close codes an application may send: 1000 (normal) or 3000–4999 (registered / private use). */
export const isApplicationCloseCode = (code: number): boolean => Number.isInteger(code) && (code === 1000 || (code >= 3000 && code <= 4999));

const disconnectSchema = z
  .strictObject({
    serverId: z.string().min(1),
    type: z.literal(WebSocketControlActions.TYPE),
    action: z.literal(WebSocketControlActions.DISCONNECT),
    clientId: z.string().min(1).optional(),
    userId: z.string().min(1).optional(),
    code: z.number().refine(isApplicationCloseCode, { message: "'code' must be 1000 or 3000-4999" }),
    reason: z.string().refine(r => utf8.encode(r).length <= MAX_CLOSE_REASON_BYTES, {
      message: `'reason' must be at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes`,
    }),
  })
  .refine(m => (m.clientId === undefined) !== (m.userId === undefined), { message: "exactly one of 'clientId' and 'userId' is required" });

/** One schema per control action; a new action (presence, history…) adds its own beside `disconnect`. */
const controlSchema = z.discriminatedUnion('action', [disconnectSchema]);

/** Serialises an envelope (a client message or a control command) for the wire. */
export const encodeEnvelope = (message: TRedisEnvelope): string => JSON.stringify(message);

/** A control command, told apart from client messages by its `type`. */
export const isControlMessage = (message: TRedisEnvelope): message is TRedisControlMessage => message.type === WebSocketControlActions.TYPE;

const isControlShaped = (parsed: unknown): boolean =>
  typeof parsed === 'object' && parsed !== null && (parsed as { type?: unknown }).type === WebSocketControlActions.TYPE;

/** A validated control command, or undefined. Unknown fields make it invalid: a command is only ever what this package writes. */
const decodeControl = (parsed: unknown): TRedisControlMessage | undefined => {
  const result = controlSchema.safeParse(parsed);
  if (!result.success) return undefined;
  const { serverId, clientId, userId, code, reason } = result.data;
  const command: IRedisDisconnectCommand = { serverId, type: WebSocketControlActions.TYPE, action: WebSocketControlActions.DISCONNECT, code, reason };
  if (clientId !== undefined) command.clientId = clientId;
  if (userId !== undefined) command.userId = userId;
  return command;
};

/**
 * The disconnect command for a target, checked with the schema receivers use, so a command this
 * package publishes is never refused elsewhere. Throws (with what to change) for a target that is
 * not exactly one non-empty `clientId` or `userId`, a code outside 1000 / 3000–4999, or a reason
 * over 123 UTF-8 bytes.
 */
export const buildDisconnectCommand = (
  serverId: string,
  target: { clientId?: string; userId?: string; code?: number; reason?: string },
): IRedisDisconnectCommand => {
  const candidate = {
    serverId,
    type: WebSocketControlActions.TYPE,
    action: WebSocketControlActions.DISCONNECT,
    ...(target.clientId !== undefined && { clientId: target.clientId }),
    ...(target.userId !== undefined && { userId: target.userId }),
    code: target.code ?? WebSocketCloseCodes.KICKED,
    reason: target.reason ?? 'Disconnected by the server',
  };
  const command = decodeControl(candidate);
  if (!command) {
    const issues = disconnectSchema.safeParse(candidate).error?.issues.map(issue => issue.message).join('; ');
    throw getError({
      message: `[disconnect] cannot disconnect ${JSON.stringify({ clientId: target.clientId, userId: target.userId, code: target.code })}: ${issues}. Pass { clientId } or { userId } (a non-empty string), and optionally a code of 1000 or 3000-4999 and a reason of at most ${MAX_CLOSE_REASON_BYTES} bytes`,
    });
  }
  return command;
};

/** Parses and validates a wire message; undefined when it is not a well-formed envelope or command. */
export const decodeEnvelope = (raw: string): TRedisEnvelope | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (isControlShaped(parsed)) return decodeControl(parsed);
  return readWellFormed(parsed) ?? decodeWithSchema(parsed);
};

const MESSAGE_TYPES: ReadonlySet<unknown> = new Set(Object.values(WebSocketMessageTypes));
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(item => typeof item === 'string');

/**
 * The well-formed client message, checked by hand: every field exactly as the schema wants it.
 * A node at a few messages a second runs zod's parse cold every time, which took about 90 µs per
 * message (a tenth of the whole cross-node hop); this takes about 1. Anything it does not accept
 * goes to the schema, which decides — so the hand check can only be stricter, never looser.
 */
const readWellFormed = (parsed: unknown): IRedisSocketMessage | undefined => {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { serverId, type, target, event, data, exclude, pos } = parsed as Record<string, unknown>;
  if (!isNonEmptyString(serverId) || !MESSAGE_TYPES.has(type) || !isNonEmptyString(event)) return undefined;
  if (target !== undefined && typeof target !== 'string') return undefined;
  if (target === undefined && type !== WebSocketMessageTypes.BROADCAST) return undefined;
  if (exclude !== undefined && !isStringArray(exclude)) return undefined;
  let position: IRedisSocketMessage['pos'];
  if (pos !== undefined) {
    if (typeof pos !== 'object' || pos === null || Array.isArray(pos)) return undefined;
    const { offset, epoch } = pos as Record<string, unknown>;
    if (!isNonEmptyString(offset) || !isNonEmptyString(epoch)) return undefined;
    position = { offset, epoch };
  }
  const message: IRedisSocketMessage = { serverId, type: type as TWebSocketMessageType, event, data };
  if (target !== undefined) message.target = target;
  if (exclude !== undefined) message.exclude = exclude;
  if (position !== undefined) message.pos = position;
  return message;
};

/** The schema's verdict on what the hand check did not accept. */
const decodeWithSchema = (parsed: unknown): IRedisSocketMessage | undefined => {
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) return undefined;
  const { serverId, type, target, event, data, exclude, pos } = result.data;
  const message: IRedisSocketMessage = { serverId, type, event, data };
  if (target !== undefined) message.target = target;
  if (exclude !== undefined) message.exclude = exclude;
  if (pos !== undefined) message.pos = { offset: pos.offset, epoch: pos.epoch };
  return message;
};

/**
 * Event names only this package's protocol layer may produce: the built-in events (`connected`,
 * `error`, `joined`, `encrypted`…) and typed-event replies (`…:reply`, answered on the node that
 * got the request). They never travel between nodes: publishers refuse them, receivers drop them.
 */
export const isReservedEvent = (event: string): boolean =>
  WebSocketEvents.isValid(event) || event.endsWith(WebSocketDefaults.REPLY_SUFFIX);

/**
 * `presence:join` / `presence:leave` addressed to a room: the one kind of protocol event that
 * travels between nodes (a node announces its own members to the room's other nodes), and only on
 * the room's channel (checked with every other message's channel below). Apps and emitters can
 * still never send one (`isReservedEvent`).
 */
const isRoomPresenceEvent = (message: IRedisSocketMessage): boolean =>
  message.type === WebSocketMessageTypes.ROOM && (message.event === WebSocketEvents.PRESENCE_JOIN || message.event === WebSocketEvents.PRESENCE_LEAVE);

/** Where an inbound message is delivered: taken from its channel. */
export interface IInboundRoute {
  type: TWebSocketMessageType;
  /** Room, client id or user id; undefined for broadcast. */
  target: string | undefined;
}

/** Why an inbound message was refused. */
export type TInboundRefusal = 'reserved-event' | 'unknown-channel' | 'channel-mismatch';

const TARGETED_CHANNELS: ReadonlyArray<readonly [string, TWebSocketMessageType]> = [
  [WebSocketChannels.ROOM_PREFIX, WebSocketMessageTypes.ROOM],
  [WebSocketChannels.CLIENT_PREFIX, WebSocketMessageTypes.CLIENT],
  [WebSocketChannels.USER_PREFIX, WebSocketMessageTypes.USER],
];

/** The route a channel stands for: `ws:broadcast`, `ws:room:<r>`, `ws:client:<id>`, `ws:user:<u>`; undefined for anything else. */
const routeOfChannel = (channel: string): IInboundRoute | undefined => {
  if (channel === WebSocketChannels.BROADCAST) return { type: WebSocketMessageTypes.BROADCAST, target: undefined };
  for (const [prefix, type] of TARGETED_CHANNELS) {
    if (channel.length > prefix.length && channel.startsWith(prefix)) return { type, target: channel.slice(prefix.length) };
  }
  return undefined;
};

/** What `routeInbound` decided: deliver along a route, carry out a command, or refuse. */
export type TInboundVerdict = { route: IInboundRoute } | { control: TRedisControlMessage } | { refused: TInboundRefusal };

/**
 * The route of a validated envelope that arrived on `channel`, or why it is refused: a reserved
 * event, a channel that is none of the contract's, or a `type`/`target` that disagrees with the
 * channel (a broadcast carries no target). Publishers of the contract (ours, the emitter, the
 * reference's) always agree with their channel, so only forged or foreign messages are refused.
 * A control command is carried out only when it arrived on `ws:control`, and `ws:control`
 * carries nothing else: a client message there, or a command anywhere else, is a mismatch.
 */
export const routeInbound = (channel: string, message: TRedisEnvelope): TInboundVerdict => {
  if (isControlMessage(message)) return channel === WebSocketChannels.CONTROL ? { control: message } : { refused: 'channel-mismatch' };
  if (channel === WebSocketChannels.CONTROL) return { refused: 'channel-mismatch' };
  if (isReservedEvent(message.event) && !isRoomPresenceEvent(message)) return { refused: 'reserved-event' };
  const route = routeOfChannel(channel);
  if (!route) return { refused: 'unknown-channel' };
  if (message.type !== route.type || message.target !== route.target) return { refused: 'channel-mismatch' };
  return { route };
};
