/**
 * `ignis-websocket/testing`: what this package's own tests use to drive real sockets, for app
 * authors testing theirs. Docs: wiki/testing.md
 */
export { freePort } from './free-port.js';
export {
  TEST_CLIENT_TIMEOUT_MS,
  WebSocketTestClient,
  type ITestSocket,
  type IWebSocketTestClientOptions,
  type IWebSocketTestFrame,
  type IWebSocketTestRoomsAck,
  type TTestSocketConstructor,
} from './test-client.js';
export { startWebSocketTestNode, type IWebSocketTestNode, type TWebSocketTestNodeOptions } from './test-node.js';
