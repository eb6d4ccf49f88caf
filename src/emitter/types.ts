import type { DefaultRedisHelper } from '@venizia/ignis-helpers';
import type { TWebSocketHistoryPolicyFn } from '../server/history.js';
import type { IWebSocketBrokerOptions } from '../server/options.js';

/** Constructor options of `WebSocketEmitter`. */
export interface IWebSocketEmitterOptions {
  /** Name used in logs (default `'WebSocketEmitter'`). */
  identifier?: string;
  /** Redis to publish on; absent means the in-process broker (same-process nodes only). */
  redisConnection?: DefaultRedisHelper | null;
  /**
   * Bounds of what is held for Redis, as the helper's `broker` option (defaults: 10000 publishes,
   * 16 MiB, 5000 ms to acknowledge, 2000 ms to close). A dropped publish rejects its method's
   * promise with a `WebSocketPublishErrorCodes` `messageCode`.
   */
  broker?: IWebSocketBrokerOptions;
  /**
   * Beyond the contract: the nodes' `historyFn`, so `toRoom()` into a room with history goes into
   * that history like a node's send (wiki/recovery.md). Give the emitter the same function as the
   * nodes; without it (the default) emitter messages reach live members but no history.
   */
  historyFn?: TWebSocketHistoryPolicyFn;
}

