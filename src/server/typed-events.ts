import { WebSocketDefaults, WebSocketErrorCodes, type AnyObject, type ValueOrPromise } from '../protocol/index.js';
import type { IWebSocketClient, IWebSocketEventContext, IWebSocketEventDefinition, IWebSocketEventHelper, IWebSocketSchema, TAnyEventDefinition } from './types.js';
import { getError } from '@venizia/ignis-helpers';
import { WebSocketEventError } from './event-error.js';
import type { ClientMessenger } from './messenger.js';

/** Output type of a zod (or zod-shaped) schema. */
export type TSchemaOutput<S> = S extends IWebSocketSchema<infer O> ? O : never;

/** Server -> client event map inferred from a record of schemas (see `defineServerEvents`). */
export type TInferServerEvents<T extends Record<string, IWebSocketSchema<unknown>>> = { [K in keyof T]: TSchemaOutput<T[K]> };

/**
 * Declares a typed inbound event: the handler gets the parsed data typed by the schema.
 *
 * @example
 * const send = defineEvent({
 *   event: 'chat:send',
 *   schema: z.object({ room: z.string(), text: z.string().max(500) }),
 *   handler: ({ room, text }, ctx) => { ctx.helper.send({ destination: room, payload: { topic: 'chat:message', data: { text } } }); return { ok: true }; },
 * });
 */
export const defineEvent = <S extends IWebSocketSchema<unknown>, Result = unknown, MetadataType extends AnyObject = AnyObject>(def: {
  event: string;
  schema: S;
  handler: (data: TSchemaOutput<S>, ctx: IWebSocketEventContext<MetadataType>) => ValueOrPromise<Result | void>;
  replySchema?: IWebSocketSchema<Result>;
}): IWebSocketEventDefinition<TSchemaOutput<S>, Result, MetadataType> => ({
  ...def,
  // S is a schema whose output is TSchemaOutput<S> by definition; TypeScript cannot see through the conditional type.
  schema: def.schema as IWebSocketSchema<TSchemaOutput<S>>,
});

/** Declares the server -> client events once: type-checks sends and feeds the client type generator. */
export const defineServerEvents = <T extends Record<string, IWebSocketSchema<unknown>>>(schemas: T): T => schemas;

/** Most validation issues reported back to a client. */
const MAX_ISSUES = 10;

/**
 * Registered typed events: validates inbound data with the event's schema and runs its handler
 * with a context that can reply once. Invalid data is answered with VALIDATION_FAILED and the
 * handler never runs.
 */
export class TypedEvents<MetadataType extends AnyObject> {
  private readonly byName = new Map<string, TAnyEventDefinition<MetadataType>>();

  constructor(
    definitions: readonly TAnyEventDefinition<MetadataType>[] | undefined,
    private readonly messenger: ClientMessenger<MetadataType>,
    private readonly api: IWebSocketEventHelper,
  ) {
    for (const def of definitions ?? []) {
      if (this.byName.has(def.event)) {
        throw getError({ message: `Typed event '${def.event}' is defined twice; give each defineEvent(...) its own event name.` });
      }
      this.byName.set(def.event, def);
    }
  }

  get(event: string): TAnyEventDefinition<MetadataType> | undefined {
    return this.byName.get(event);
  }

  list(): TAnyEventDefinition<MetadataType>[] {
    return [...this.byName.values()];
  }

  async run(def: TAnyEventDefinition<MetadataType>, client: IWebSocketClient<MetadataType>, data: unknown, id?: string) {
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, MAX_ISSUES).map(issue => ({
        path: issue.path.map(p => (typeof p === 'symbol' ? String(p) : p)),
        message: issue.message,
        code: issue.code,
      }));
      this.messenger.error(client, WebSocketErrorCodes.VALIDATION_FAILED, `Invalid data for '${def.event}'`, id, { issues });
      return;
    }
    let replied = false;
    const reply = (value: unknown) => {
      if (replied || id === undefined) return;
      replied = true;
      this.messenger.system(client, def.event + WebSocketDefaults.REPLY_SUFFIX, value, id);
    };
    const ctx: IWebSocketEventContext<MetadataType> = {
      clientId: client.id,
      userId: client.userId,
      metadata: client.metadata,
      id,
      reply,
      fail: (code, message, details) => {
        throw new WebSocketEventError(code, message, details);
      },
      helper: this.api,
    };
    const result = await def.handler(parsed.data, ctx);
    if (result !== undefined) reply(result);
  }
}
