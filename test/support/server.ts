/**
 * A real Bun server with a WebSocketServerHelper on a free loopback port: the package's
 * `startWebSocketTestNode` (src/testing/test-node.ts) with our tests' defaults — the token auth
 * below and a room policy that allows every room.
 */
import { type AnyObject, type IWebSocketServerOptions } from '../../src';
import { startWebSocketTestNode, type IWebSocketTestNode } from '../../src/testing';

export type ITestNode<A extends AnyObject = AnyObject, M extends AnyObject = AnyObject> = IWebSocketTestNode<A, M>;

/** Accepts `{ token: 'ok' }` or `{ token: 'user:<id>' }`; anything else is rejected. */
export const testAuthenticate = (data: AnyObject) => {
  const token = data.token;
  if (token === 'ok') return { userId: 'user-1' };
  if (typeof token === 'string' && token.startsWith('user:')) return { userId: token.slice(5) };
  return null;
};

export const startNode = <A extends AnyObject = AnyObject, M extends AnyObject = AnyObject>(
  opts: Partial<IWebSocketServerOptions<A, M>> = {},
  port = 0,
): Promise<ITestNode<A, M>> =>
  startWebSocketTestNode<A, M>(
    {
      authenticateFn: testAuthenticate as IWebSocketServerOptions<A, M>['authenticateFn'],
      validateRoomFn: ({ rooms }) => rooms,
      ...opts,
    },
    port,
  );
