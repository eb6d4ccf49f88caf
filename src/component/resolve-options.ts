/**
 * Reads the component's bindings into the helper's options, as bound: no defaults are applied
 * here (the helper's `resolveServerOptions()` does that), except the component's own
 * `identifier`. Runs in the post-start hook, after every component and the app's postConfigure,
 * so whatever the app bound last is what is used. The keys carry their types
 * (`IWebSocketBindingValues`); the only checks are for what an app can bind wrongly through the
 * untyped container: a callback key that is not a function, `EVENTS` that is not a list of
 * event definitions, `REDIS_CONNECTION` that is not an Ignis Redis helper.
 */
import { getError, type DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { IWebSocketServerOptions } from '../server/options.js';
import type { IWebSocketEventDefinition } from '../server/types.js';
import { WebSocketBindingKeys, type TWebSocketBindingValue, type TWebSocketCallbackKey } from './keys.js';
import { readWebSocketBinding, type TBindingReader } from './read-binding.js';
import { WEBSOCKET_COMPONENT_DEFAULTS, type IWebSocketComponentOptions } from './types.js';

/** Everything the helper needs except the Bun server, as the app bound it. */
export type TBoundHelperOptions = Omit<IWebSocketServerOptions, 'server'>;

/** What a wrongly bound value is, for the error message. */
const describe = (value: unknown): string =>
  typeof value === 'object' && value !== null ? value.constructor?.name ?? 'object' : typeof value;

/** A callback key: the provider's function, or `undefined` for "not set"; anything else is an error. */
const readCallback = <K extends TWebSocketCallbackKey>(container: TBindingReader, key: K): TWebSocketBindingValue<K> | undefined => {
  const value = readWebSocketBinding(container, key);
  if (value === undefined || typeof value === 'function') return value;
  throw getError({
    message:
      `[WebSocketComponent] '${key}' must resolve to a function (bind a provider class whose value() returns it), ` +
      `got ${describe(value)}.`,
  });
};

/** True when `value` is an object with a method `name`. */
const hasMethod = <K extends string>(value: unknown, name: K): value is Record<K, () => unknown> =>
  typeof value === 'object' && value !== null && name in value && typeof Reflect.get(value, name) === 'function';

/**
 * What the broker uses of a Redis helper: `getClient()` returning an ioredis `Redis` or `Cluster`
 * (it duplicates, publishes, quits and watches `status`). Checked by shape, not `instanceof`, so
 * the helper from the app's own copy of `@venizia/ignis-helpers` is accepted, whichever copy this
 * package sees.
 */
export const isRedisHelperLike = (value: unknown): value is DefaultRedisHelper => {
  if (!hasMethod(value, 'getClient')) return false;
  let client: unknown;
  try {
    client = value.getClient();
  } catch {
    return false;
  }
  return (
    hasMethod(client, 'duplicate') &&
    hasMethod(client, 'publish') &&
    hasMethod(client, 'quit') &&
    typeof Reflect.get(client, 'status') === 'string'
  );
};

/** `REDIS_CONNECTION`: absent/null → in-process broker, an Ignis Redis helper (by shape) → Redis, anything else → error. */
export const readRedisConnection = (container: TBindingReader): DefaultRedisHelper | undefined => {
  const value: unknown = readWebSocketBinding(container, WebSocketBindingKeys.REDIS_CONNECTION);
  if (value === undefined || isRedisHelperLike(value)) return value;
  throw getError({
    message:
      `[WebSocketComponent] '${WebSocketBindingKeys.REDIS_CONNECTION}' must be an Ignis DefaultRedisHelper ` +
      `(RedisHelper for one node, RedisClusterHelper for a cluster) from '@venizia/ignis-helpers' — an object whose ` +
      `getClient() returns an ioredis Redis or Cluster — got ${describe(value)}. ` +
      `Leave it unbound to run on one process without Redis.`,
  });
};

/** What `defineEvent(...)` returns: an event name, a schema with `safeParse` and a handler. */
const isEventDefinition = (def: unknown): def is IWebSocketEventDefinition =>
  typeof def === 'object' &&
  def !== null &&
  'event' in def &&
  typeof def.event === 'string' &&
  'handler' in def &&
  typeof def.handler === 'function' &&
  'schema' in def &&
  typeof def.schema === 'object' &&
  def.schema !== null &&
  'safeParse' in def.schema &&
  typeof def.schema.safeParse === 'function';

/** `EVENTS`: absent → none; otherwise an array of `defineEvent(...)` results. */
const readEvents = (container: TBindingReader): readonly IWebSocketEventDefinition[] | undefined => {
  const value: unknown = readWebSocketBinding(container, WebSocketBindingKeys.EVENTS);
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every(isEventDefinition)) return value;
  throw getError({
    message:
      `[WebSocketComponent] '${WebSocketBindingKeys.EVENTS}' must resolve to an array of defineEvent({ event, schema, handler }) ` +
      `results.`,
  });
};

/** The helper's options from the bindings; `clientRemovedFn` is the app's own (the caller adds the key clean-up). */
export const resolveHelperOptions = (container: TBindingReader): TBoundHelperOptions => {
  const bound: IWebSocketComponentOptions = readWebSocketBinding(container, WebSocketBindingKeys.SERVER_OPTIONS) ?? {};
  const { identifier = WEBSOCKET_COMPONENT_DEFAULTS.identifier, ...tunable } = bound;

  const authenticateFn = readCallback(container, WebSocketBindingKeys.AUTHENTICATE_HANDLER);
  if (!authenticateFn) {
    throw getError({
      message:
        `[WebSocketComponent] '${WebSocketBindingKeys.AUTHENTICATE_HANDLER}' resolved to nothing. Bind a provider:\n` +
        `  app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);`,
    });
  }

  return {
    ...tunable,
    identifier,
    redisConnection: readRedisConnection(container),
    authenticateFn,
    validateRoomFn: readCallback(container, WebSocketBindingKeys.VALIDATE_ROOM_HANDLER),
    clientConnectedFn: readCallback(container, WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER),
    clientDisconnectedFn: readCallback(container, WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER),
    messageHandler: readCallback(container, WebSocketBindingKeys.MESSAGE_HANDLER),
    outboundTransformer: readCallback(container, WebSocketBindingKeys.OUTBOUND_TRANSFORMER),
    inboundTransformer: readCallback(container, WebSocketBindingKeys.INBOUND_TRANSFORMER),
    handshakeFn: readCallback(container, WebSocketBindingKeys.HANDSHAKE_HANDLER),
    clientRemovedFn: readCallback(container, WebSocketBindingKeys.CLIENT_REMOVED_HANDLER),
    userPresenceFn: readCallback(container, WebSocketBindingKeys.USER_PRESENCE_HANDLER),
    historyFn: readCallback(container, WebSocketBindingKeys.HISTORY_POLICY),
    events: readEvents(container),
  };
};
