/**
 * Typed, lazy access to the running helper from services and controllers. The helper is bound
 * by the post-start hook, after DI has built your services, so resolve it when you use it.
 * Docs: wiki/component.md#reaching-the-helper-from-a-service
 *
 * @example
 * export class NotificationService extends BaseService {
 *   private readonly ws: LazyWebSocketHelper;
 *   constructor(@inject({ key: CoreBindings.APPLICATION_INSTANCE }) app: BaseApplication) {
 *     super({ scope: NotificationService.name });
 *     this.ws = new LazyWebSocketHelper(app);
 *   }
 *   notifyRoom(room: string, text: string) {
 *     this.ws.get().send({ destination: room, payload: { topic: 'notification', data: { text } } });
 *   }
 * }
 */
import { getError } from '@venizia/ignis-helpers';
import type { AnyObject } from '../protocol/index.js';
import type { WebSocketServerHelper } from '../server/index.js';
import { WebSocketBindingKeys } from './keys.js';
import type { TBindingReader } from './read-binding.js';

const NOT_STARTED =
  `[WebSocketComponent] The WebSocket helper is not available: '${WebSocketBindingKeys.WEBSOCKET_INSTANCE}' ` +
  'is bound after app.start() has started the server and is unbound by app.stop(). ' +
  'Use it from request handlers, jobs or callbacks that run while the app is started, not from constructors or configure().';

/**
 * The running helper, or undefined before start / after stop. Type arguments: auth data, client
 * metadata, and the server -> client event map (typed sends).
 */
export const findWebSocketHelper = <A extends AnyObject = AnyObject, M extends AnyObject = AnyObject, E extends AnyObject = AnyObject>(
  container: TBindingReader,
): WebSocketServerHelper<A, M, E> | undefined =>
  container.get<WebSocketServerHelper<A, M, E>>({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE, isOptional: true }) ??
  undefined;

/** The running helper; throws a clear error before start and after stop. */
export const getWebSocketHelper = <A extends AnyObject = AnyObject, M extends AnyObject = AnyObject, E extends AnyObject = AnyObject>(
  container: TBindingReader,
): WebSocketServerHelper<A, M, E> => {
  const helper = findWebSocketHelper<A, M, E>(container);
  if (!helper) throw getError({ message: NOT_STARTED });
  return helper;
};

/**
 * Holds the container, resolves the helper on every `get()` (a map lookup), so it follows the
 * app across stop and start and never hands out a helper that was shut down. Type arguments as
 * for `findWebSocketHelper`.
 */
export class LazyWebSocketHelper<A extends AnyObject = AnyObject, M extends AnyObject = AnyObject, E extends AnyObject = AnyObject> {
  constructor(private readonly container: TBindingReader) {}

  /** The running helper; throws a clear error before start and after stop. */
  get(): WebSocketServerHelper<A, M, E> {
    return getWebSocketHelper<A, M, E>(this.container);
  }

  /** True while the helper is running. */
  isAvailable(): boolean {
    return findWebSocketHelper(this.container) !== undefined;
  }
}
