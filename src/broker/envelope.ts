/**
 * The broker's wire format, encoded and decoded here and nowhere else: the contract's
 * `IRedisSocketMessage` as JSON. Decoding validates with zod, so a listener only ever sees a
 * well-formed, typed envelope; anything else on a `ws:` channel is reported as malformed.
 * `routeInbound()` then decides where a well-formed envelope may go: by the channel it arrived
 * on, never by its own `type`/`target` alone, and never as a protocol event.
 */
import { z } from 'zod';
import {
  WebSocketChannels,
  WebSocketDefaults,
  WebSocketEvents,
  WebSocketMessageTypes,
  type IRedisSocketMessage,
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
  })
  .refine(m => m.type === WebSocketMessageTypes.BROADCAST || m.target !== undefined, {
    message: "'target' is required unless type is 'broadcast'",
  });

/** Serialises an envelope for the wire. */
export const encodeEnvelope = (message: IRedisSocketMessage): string => JSON.stringify(message);

/** Parses and validates a wire message; undefined when it is not a well-formed envelope. */
export const decodeEnvelope = (raw: string): IRedisSocketMessage | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) return undefined;
  const { serverId, type, target, event, data, exclude } = result.data;
  const message: IRedisSocketMessage = { serverId, type, event, data };
  if (target !== undefined) message.target = target;
  if (exclude !== undefined) message.exclude = exclude;
  return message;
};

/**
 * Event names only this package's protocol layer may produce: the built-in events (`connected`,
 * `error`, `joined`, `encrypted`…) and typed-event replies (`…:reply`, answered on the node that
 * got the request). They never travel between nodes: publishers refuse them, receivers drop them.
 */
export const isReservedEvent = (event: string): boolean =>
  WebSocketEvents.isValid(event) || event.endsWith(WebSocketDefaults.REPLY_SUFFIX);

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

/**
 * The route of a validated envelope that arrived on `channel`, or why it is refused: a reserved
 * event, a channel that is none of the contract's, or a `type`/`target` that disagrees with the
 * channel (a broadcast carries no target). Publishers of the contract (ours, the emitter, the
 * reference's) always agree with their channel, so only forged or foreign messages are refused.
 */
export const routeInbound = (channel: string, message: IRedisSocketMessage): { route: IInboundRoute } | { refused: TInboundRefusal } => {
  if (isReservedEvent(message.event)) return { refused: 'reserved-event' };
  const route = routeOfChannel(channel);
  if (!route) return { refused: 'unknown-channel' };
  if (message.type !== route.type || message.target !== route.target) return { refused: 'channel-mismatch' };
  return { route };
};
