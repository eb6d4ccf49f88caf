/**
 * The chat's wire vocabulary, declared once with zod:
 * - `chat:send` is a typed inbound event: the server validates it before the handler runs;
 * - `chat:online` asks who is in a room (cluster-wide presence);
 * - `serverEvents` lists what the server pushes (`chat:message`, presence changes, and `job:progress` from the worker).
 *
 * The browser page uses types generated from this file:
 *   npm run generate:client-types -- examples/chat/events.ts examples/chat/public/events.generated.ts
 */
import { z } from 'zod';
import { defineEvent, defineServerEvents, type TInferServerEvents } from 'ignis-websocket';

/** Rooms people may join: lower-case letters, digits and dashes, 1 to 32 characters. */
export const ROOM_NAME = /^[a-z0-9-]{1,32}$/;
/** Longest chat message, in characters. */
export const MAX_TEXT_LENGTH = 500;

export const serverEvents = defineServerEvents({
  /** A message somebody sent to a room. `via` is the instance that accepted it; `id` tells copies apart. */
  'chat:message': z.object({
    id: z.string(),
    room: z.string(),
    text: z.string(),
    from: z.string(),
    at: z.string(),
    via: z.string(),
  }),
  /** Somebody's socket joined a room (presence events, on for every chat room). */
  'presence:join': z.object({ room: z.string(), clientId: z.string(), userId: z.string().optional() }),
  /** Somebody's socket left a room, or its instance died. */
  'presence:leave': z.object({ room: z.string(), clientId: z.string(), userId: z.string().optional() }),
  /** Progress of a background job, pushed to one user by examples/worker-emitter. */
  'job:progress': z.object({
    jobId: z.string(),
    step: z.number().int(),
    total: z.number().int(),
    done: z.boolean(),
  }),
});
export type ChatServerEvents = TInferServerEvents<typeof serverEvents>;

/** What `chat:send` carries; the handler only runs for data that passes this. */
export const chatSendSchema = z.object({
  room: z.string().regex(ROOM_NAME, 'room names are a-z, 0-9 and -, at most 32 characters'),
  text: z.string().trim().min(1).max(MAX_TEXT_LENGTH),
});

/** What the events need from the running app; `ChatEventsProvider` supplies the real thing. */
export interface IChatEventDeps {
  /** Name of this instance, shown in the page so you can see messages cross instances. */
  instance: string;
  /** Whether the client is currently in the room (only members may post to a room). */
  isMember(opts: { clientId: string; room: string }): boolean;
  /** Who is in the room on every instance (user ids, sorted). */
  online(room: string): Promise<string[]>;
}

/** What `chat:online` carries. */
export const chatOnlineSchema = z.object({ room: z.string().regex(ROOM_NAME) });

/** The chat's typed inbound events, bound to the running app's dependencies. */
export const createChatEvents = (deps: IChatEventDeps) => [
  defineEvent({
    event: 'chat:send',
    schema: chatSendSchema,
    replySchema: z.object({ at: z.string() }),
    handler: ({ room, text }, ctx) => {
      if (!deps.isMember({ clientId: ctx.clientId, room })) {
        // An app-level refusal: the client gets `error` { code: 'NOT_IN_ROOM', id } and its
        // request() rejects with that code; it is not logged as a server fault.
        ctx.fail('NOT_IN_ROOM', `join '${room}' before sending to it`);
      }
      const message: ChatServerEvents['chat:message'] = {
        id: crypto.randomUUID(),
        room,
        text,
        from: ctx.userId ?? 'anonymous',
        at: new Date().toISOString(),
        via: deps.instance,
      };
      // send() delivers to this instance's members of the room and publishes to the others via Redis.
      ctx.helper.send({ destination: room, payload: { topic: 'chat:message', data: message } });
      return { at: message.at };
    },
  }),
  defineEvent({
    event: 'chat:online',
    schema: chatOnlineSchema,
    replySchema: z.object({ room: z.string(), users: z.array(z.string()) }),
    handler: async ({ room }, ctx) => {
      if (!deps.isMember({ clientId: ctx.clientId, room })) ctx.fail('NOT_IN_ROOM', `join '${room}' to see who is in it`);
      return { room, users: await deps.online(room) };
    },
  }),
];

/**
 * The same definitions for the client-type generator, which reads only names and schemas; these
 * handlers are never called.
 */
export const events = createChatEvents({ instance: 'codegen', isMember: () => false, online: async () => [] });
