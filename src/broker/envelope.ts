/**
 * The broker's wire format, encoded and decoded here and nowhere else: the contract's
 * `IRedisSocketMessage` as JSON. Decoding validates with zod, so a listener only ever sees a
 * well-formed, typed envelope; anything else on a `ws:` channel is reported as malformed.
 */
import { z } from 'zod';
import { WebSocketMessageTypes, type IRedisSocketMessage } from '../protocol';

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
