/**
 * A real Bun server with a `WebSocketServerHelper` on a free loopback port, started the way the
 * component starts one (Bun.serve first, then the helper, then a reload with its websocket
 * handler), for tests of code that uses the helper without an Ignis app. Bun only.
 * Docs: wiki/testing.md
 */
import { WebSocketServerHelper } from '../server/helper.js';
import type { IWebSocketServerOptions } from '../server/options.js';
import type { IBunServer, IWebSocketData } from '../server/types.js';
import type { AnyObject } from '../protocol/types.js';

/** The helper's options without `server` (the node makes it); `identifier` defaults to `'test-node'`. */
export type TWebSocketTestNodeOptions<A extends AnyObject = AnyObject, M extends AnyObject = AnyObject> = Omit<
  IWebSocketServerOptions<A, M>,
  'server' | 'identifier'
> & { identifier?: string };

export interface IWebSocketTestNode<A extends AnyObject = AnyObject, M extends AnyObject = AnyObject> {
  helper: WebSocketServerHelper<A, M>;
  /** The Bun server (its `publish`, `pendingWebSockets`…). */
  server: IBunServer & { readonly port?: number | undefined; stop(closeActiveConnections?: boolean): unknown };
  /** `ws://127.0.0.1:<port><path>` */
  url: string;
  port: number;
  /** Resolves once no client is tracked (awaits the helper's removal callback, never polls). */
  untilEmpty(): Promise<void>;
  /** Shuts the helper down (clients closed 1001), then stops the server. */
  stop(): Promise<void>;
}

/** Starts the node on `port` (0: a free one) on 127.0.0.1. */
export const startWebSocketTestNode = async <A extends AnyObject = AnyObject, M extends AnyObject = AnyObject>(
  opts: TWebSocketTestNodeOptions<A, M>,
  port = 0,
): Promise<IWebSocketTestNode<A, M>> => {
  if (typeof Bun === 'undefined') throw new Error('[startWebSocketTestNode] the WebSocket server runs on Bun only; run the tests with `bun test`');
  const server = Bun.serve<IWebSocketData>({ hostname: '127.0.0.1', port, fetch: () => new Response('starting', { status: 503 }) });
  let emptyWaiters: (() => void)[] = [];
  const helper: WebSocketServerHelper<A, M> = new WebSocketServerHelper<A, M>({
    identifier: 'test-node',
    ...opts,
    server,
    clientRemovedFn: async who => {
      await opts.clientRemovedFn?.(who);
      if (helper.getClients().size > 0) return;
      const waiters = emptyWaiters;
      emptyWaiters = [];
      for (const resolve of waiters) resolve();
    },
  });
  try {
    await helper.configure();
  } catch (error) {
    server.stop(true);
    throw error;
  }
  server.reload({
    fetch: req => (helper.isUpgradeRequest(req) ? helper.upgrade(req) : new Response('not found', { status: 404 })),
    websocket: helper.getBunWebSocketHandler(),
  });
  const boundPort = server.port ?? port;
  return {
    helper,
    server,
    url: `ws://127.0.0.1:${boundPort}${helper.getPath()}`,
    port: boundPort,
    untilEmpty: () =>
      helper.getClients().size === 0 ? Promise.resolve() : new Promise<void>(resolve => emptyWaiters.push(resolve)),
    async stop() {
      await helper.shutdown();
      server.stop(true);
    },
  };
};
