/**
 * Starts a real Bun server with a WebSocketServerHelper on a free loopback port, the way the
 * component does: Bun.serve first, then the helper, then reload with its websocket handler.
 */
import { WebSocketServerHelper, type AnyObject, type IWebSocketServerOptions } from '../../src';

export interface ITestNode<A extends AnyObject = AnyObject, M extends AnyObject = AnyObject> {
  helper: WebSocketServerHelper<A, M>;
  server: ReturnType<typeof Bun.serve>;
  url: string;
  port: number;
  /** Resolves once no client is tracked (awaits the helper's removal callback, never polls). */
  untilEmpty(): Promise<void>;
  stop(): Promise<void>;
}

/** Accepts `{ token: 'ok' }` or `{ token: 'user:<id>' }`; anything else is rejected. */
export const testAuthenticate = (data: AnyObject) => {
  const token = data.token;
  if (token === 'ok') return { userId: 'user-1' };
  if (typeof token === 'string' && token.startsWith('user:')) return { userId: token.slice(5) };
  return null;
};

export const startNode = async <A extends AnyObject = AnyObject, M extends AnyObject = AnyObject>(
  opts: Partial<IWebSocketServerOptions<A, M>> = {},
  port = 0,
): Promise<ITestNode<A, M>> => {
  const server = Bun.serve({ hostname: '127.0.0.1', port, fetch: () => new Response('starting', { status: 503 }) });
  let emptyWaiters: (() => void)[] = [];
  const helper: WebSocketServerHelper<A, M> = new WebSocketServerHelper<A, M>({
    identifier: 'test-node',
    server: server as any,
    authenticateFn: testAuthenticate as any,
    validateRoomFn: ({ rooms }) => rooms,
    ...opts,
    clientRemovedFn: async who => {
      await opts.clientRemovedFn?.(who);
      if (helper.getClients().size > 0) return;
      const waiters = emptyWaiters;
      emptyWaiters = [];
      for (const resolve of waiters) resolve();
    },
  } as IWebSocketServerOptions<A, M>);
  await helper.configure();
  server.reload({
    fetch: (req, srv) =>
      helper.isUpgradeRequest(req) ? helper.upgrade(req, srv as any) : new Response('not found', { status: 404 }),
    websocket: helper.getBunWebSocketHandler() as any,
  });
  const url = `ws://127.0.0.1:${server.port}${helper.getPath()}`;
  return {
    helper,
    server,
    url,
    port: server.port!,
    untilEmpty: () =>
      helper.getClients().size === 0 ? Promise.resolve() : new Promise<void>(resolve => emptyWaiters.push(resolve)),
    async stop() {
      await helper.shutdown();
      server.stop(true);
    },
  };
};
