import { WebSocketDefaults, type AnyObject, type IBunWebSocketConfig, type IBunWebSocketHandler, type IWebSocket } from '../common';
import type { ClientRegistry } from './client-registry';
import type { InboundRouter } from './inbound-router';

/**
 * The object Bun takes as `websocket`: native options with their documented defaults, and the
 * four lifecycle callbacks. `message` and `drain` are the hot path: one map lookup each.
 */
export const createBunHandler = <A extends AnyObject, M extends AnyObject>(opts: {
  native: IBunWebSocketConfig;
  registry: ClientRegistry<M>;
  router: InboundRouter<A, M>;
  onOpen(socket: IWebSocket): void;
  onClose(socket: IWebSocket): void;
}): IBunWebSocketHandler => {
  const { native, registry, router } = opts;
  return {
    perMessageDeflate: native.perMessageDeflate,
    maxPayloadLength: native.maxPayloadLength ?? WebSocketDefaults.MAX_PAYLOAD_LENGTH,
    idleTimeout: native.idleTimeout ?? WebSocketDefaults.IDLE_TIMEOUT,
    backpressureLimit: native.backpressureLimit ?? WebSocketDefaults.BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: native.closeOnBackpressureLimit,
    sendPings: native.sendPings ?? WebSocketDefaults.SEND_PINGS,
    publishToSelf: native.publishToSelf ?? WebSocketDefaults.PUBLISH_TO_SELF,
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
