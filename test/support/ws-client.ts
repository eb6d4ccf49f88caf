/**
 * The package's test client (`ignis-websocket/testing`, src/testing/test-client.ts) as our tests
 * use it: `TestClient.connect(url)` authenticates with `{ token: 'ok' }` unless told otherwise.
 */
import { WebSocketTestClient, type IWebSocketTestFrame } from '../../src/testing';

export type IFrame = IWebSocketTestFrame;
export type TestClient = WebSocketTestClient;

export const TestClient = {
  /** Opens a connection and waits for it to be open. */
  open: (url: string): Promise<WebSocketTestClient> => WebSocketTestClient.open(url),
  /** Opens, authenticates and waits for `connected`. */
  connect: (url: string, auth: Record<string, unknown> = { token: 'ok' }): Promise<WebSocketTestClient> => WebSocketTestClient.connect(url, auth),
};
