import {
  WebSocketDefaults,
  WebSocketErrorCodes,
  type AnyObject,
  type IWebSocketClient,
  type IWebSocketEventContext,
  type IWebSocketEventDefinition,
  type IWebSocketEventHelper,
  type IWebSocketSchema,
  type TWebSocketErrorCode,
  type ValueOrPromise,
} from '../common';
import { WebSocketEventError } from './event-error';

/** Output type of a zod (or zod-shaped) schema. */
export type TSchemaOutput<S> = S extends IWebSocketSchema<infer O> ? O : never;

/** Server -> client event map inferred from a record of schemas (see `defineServerEvents`). */
export type TInferServerEvents<T extends Record<string, IWebSocketSchema<any>>> = { [K in keyof T]: TSchemaOutput<T[K]> };

/**
 * Declares a typed inbound event: the handler gets the parsed data typed by the schema.
 *
 * @example
 * const send = defineEvent({
 *   event: 'chat:send',
 *   schema: z.object({ room: z.string(), text: z.string().max(500) }),
 *   handler: ({ room, text }, ctx) => { ctx.helper.sendToRoom({ room, event: 'chat:message', data: { text } }); return { ok: true }; },
 * });
 */
export const defineEvent = <S extends IWebSocketSchema<any>, Result = unknown, MetadataType extends AnyObject = AnyObject>(def: {
  event: string;
  schema: S;
  handler: (data: TSchemaOutput<S>, ctx: IWebSocketEventContext<MetadataType>) => ValueOrPromise<Result | void>;
  replySchema?: IWebSocketSchema<Result>;
}): IWebSocketEventDefinition<TSchemaOutput<S>, Result, MetadataType> => def;

/** Declares the server -> client events once: type-checks sends and feeds the client type generator. */
export const defineServerEvents = <T extends Record<string, IWebSocketSchema<any>>>(schemas: T): T => schemas;

/** Most validation issues reported back to a client. */
const MAX_ISSUES = 10;

/** What running a typed event needs from the helper. */
export interface ITypedEventsHost<MetadataType extends AnyObject> {
  sendError(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string, extra?: AnyObject): void;
  sendReply(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id: string): void;
  helper: IWebSocketEventHelper;
}

/**
 * Registered typed events: validates inbound data with the event's schema and runs its handler
 * with a context that can reply once. Invalid data is answered with VALIDATION_FAILED and the
 * handler never runs.
 */
export class TypedEvents<MetadataType extends AnyObject> {
  private readonly byName = new Map<string, IWebSocketEventDefinition<any, any, MetadataType>>();

  constructor(
    definitions: readonly IWebSocketEventDefinition<any, any, MetadataType>[],
    private readonly host: ITypedEventsHost<MetadataType>,
  ) {
    for (const def of definitions) {
      if (this.byName.has(def.event)) throw new Error(`typed event '${def.event}' is defined twice`);
      this.byName.set(def.event, def);
    }
  }

  get(event: string): IWebSocketEventDefinition<any, any, MetadataType> | undefined {
    return this.byName.get(event);
  }

  list(): IWebSocketEventDefinition<any, any, MetadataType>[] {
    return [...this.byName.values()];
  }

  async run(def: IWebSocketEventDefinition<any, any, MetadataType>, client: IWebSocketClient<MetadataType>, data: unknown, id?: string) {
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, MAX_ISSUES).map(issue => ({
        path: issue.path.map(p => (typeof p === 'symbol' ? String(p) : p)),
        message: issue.message,
        code: issue.code,
      }));
      this.host.sendError(client, WebSocketErrorCodes.VALIDATION_FAILED, `Invalid data for '${def.event}'`, id, { issues });
      return;
    }
    let replied = false;
    const reply = (value: unknown) => {
      if (replied || id === undefined) return;
      replied = true;
      this.host.sendReply(client, def.event + WebSocketDefaults.REPLY_SUFFIX, value, id);
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
      helper: this.host.helper,
    };
    const result = await def.handler(parsed.data, ctx);
    if (result !== undefined) reply(result);
  }
}
