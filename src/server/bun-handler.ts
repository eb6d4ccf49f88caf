import type { AnyObject } from '../protocol/index.js';
import type { IBunWebSocketConfig } from './options.js';
import type { IBunWebSocketHandler, IWebSocket } from './types.js';
import type { ClientRegistry } from './client-registry.js';
import type { InboundRouter } from './inbound-router.js';

/**
 * The object Bun takes as `websocket`: the resolved native options (see options.ts) and the
 * four lifecycle callbacks. `message` and `drain` are the hot path: one map lookup each.
 */
export const createBunHandler = <A extends AnyObject, M extends AnyObject>(opts: {
  native: Required<IBunWebSocketConfig>;
  registry: ClientRegistry<M>;
  router: InboundRouter<A, M>;
  onOpen(socket: IWebSocket): void;
  onClose(socket: IWebSocket, code: number, reason: string): void;
}): IBunWebSocketHandler => {
  const { native, registry, router } = opts;
  return {
    ...native,
    // The helper applies closeOnBackpressureLimit itself (slow-consumer.ts): Bun's own close sends no close code.
    closeOnBackpressureLimit: false,
    open: opts.onOpen,
    message(socket, raw) {
      const client = registry.clients.get(socket.data.clientId);
      if (client) router.route(client, raw);
    },
    close: opts.onClose,
    drain(socket) {
      const client = registry.clients.get(socket.data.clientId);
      if (client) client.backpressured = false;
    },
  };
};
