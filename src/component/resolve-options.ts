/**
 * Turns the component's bindings into the helper's options. Runs in the post-start hook, after
 * every component and the app's postConfigure, so whatever the app bound last is what is used.
 */
import type { Container } from '@venizia/ignis';
import { DefaultRedisHelper, getError } from '@venizia/ignis-helpers';
import type {
  IWebSocketEventDefinition,
  IWebSocketServerOptions,
  TWebSocketAuthenticateFn,
  TWebSocketClientRemovedFn,
} from '../common';
import { WebSocketBindingKeys } from './keys';
import type { ClientKeyStore } from './services/client-key-store';
import { mergeComponentOptions, type IWebSocketComponentOptions } from './types';

/** Everything the helper needs except the Bun server. */
export type TResolvedHelperOptions = Omit<IWebSocketServerOptions, 'server'>;

/** A callback binding: a provider's function, `undefined`/`null` for "not set", anything else is an error. */
const readCallback = <T extends (...args: any[]) => unknown>(container: Container, key: string): T | undefined => {
  const value = container.get<T | null>({ key, isOptional: true });
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') {
    throw getError({
      message:
        `[WebSocketComponent] '${key}' must resolve to a function (bind a provider class whose value() returns it), ` +
        `got ${typeof value}.`,
    });
  }
  return value;
};

/** `REDIS_CONNECTION`: absent/null → in-process broker, an Ignis Redis helper → Redis, anything else → error. */
export const readRedisConnection = (container: Container): DefaultRedisHelper | undefined => {
  const value = container.get<unknown>({ key: WebSocketBindingKeys.REDIS_CONNECTION, isOptional: true });
  if (value === undefined || value === null) return undefined;
  if (value instanceof DefaultRedisHelper) return value;
  const got = (value as { constructor?: { name?: string } })?.constructor?.name ?? typeof value;
  throw getError({
    message:
      `[WebSocketComponent] '${WebSocketBindingKeys.REDIS_CONNECTION}' must be an Ignis DefaultRedisHelper ` +
      `(RedisHelper for one node, RedisClusterHelper for a cluster) from '@venizia/ignis-helpers', got ${got}. ` +
      `Leave it unbound to run on one process without Redis.`,
  });
};

/** `EVENTS`: absent → none; otherwise an array of `defineEvent(...)` results. */
const readEvents = (container: Container): IWebSocketEventDefinition<any, any>[] | undefined => {
  const value = container.get<unknown>({ key: WebSocketBindingKeys.EVENTS, isOptional: true });
  if (value === undefined || value === null) return undefined;
  const isDefinition = (def: unknown) =>
    typeof (def as IWebSocketEventDefinition)?.event === 'string' &&
    typeof (def as IWebSocketEventDefinition).handler === 'function' &&
    typeof (def as IWebSocketEventDefinition).schema?.safeParse === 'function';
  if (!Array.isArray(value) || !value.every(isDefinition)) {
    throw getError({
      message:
        `[WebSocketComponent] '${WebSocketBindingKeys.EVENTS}' must resolve to an array of defineEvent({ event, schema, handler }) ` +
        `results.`,
    });
  }
  return value;
};

export const resolveHelperOptions = (container: Container, keys: ClientKeyStore): TResolvedHelperOptions => {
  const options = mergeComponentOptions(
    container.get<IWebSocketComponentOptions | null>({ key: WebSocketBindingKeys.SERVER_OPTIONS, isOptional: true }),
  );
  const redisConnection = readRedisConnection(container);

  const authenticateFn = readCallback<TWebSocketAuthenticateFn>(container, WebSocketBindingKeys.AUTHENTICATE_HANDLER);
  if (!authenticateFn) {
    throw getError({
      message:
        `[WebSocketComponent] '${WebSocketBindingKeys.AUTHENTICATE_HANDLER}' resolved to nothing. Bind a provider:\n` +
        `  app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);`,
    });
  }
  const appRemovedFn = readCallback<TWebSocketClientRemovedFn>(container, WebSocketBindingKeys.CLIENT_REMOVED_HANDLER);

  return {
    ...options,
    redisConnection,
    authenticateFn,
    validateRoomFn: readCallback(container, WebSocketBindingKeys.VALIDATE_ROOM_HANDLER),
    clientConnectedFn: readCallback(container, WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER),
    clientDisconnectedFn: readCallback(container, WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER),
    messageHandler: readCallback(container, WebSocketBindingKeys.MESSAGE_HANDLER),
    outboundTransformer: readCallback(container, WebSocketBindingKeys.OUTBOUND_TRANSFORMER),
    handshakeFn: readCallback(container, WebSocketBindingKeys.HANDSHAKE_HANDLER),
    events: readEvents(container),
    // Keys first, then the app's callback: a key never outlives its connection, whatever the app does.
    clientRemovedFn: async who => {
      keys.delete(who.clientId);
      await appRemovedFn?.(who);
    },
  };
};
