import type { DefaultRedisHelper } from '@venizia/ignis-helpers';

/** Constructor options of `WebSocketEmitter`. */
export interface IWebSocketEmitterOptions {
  /** Name used in logs (default `'WebSocketEmitter'`). */
  identifier?: string;
  /** Redis to publish on; absent means the in-process broker (same-process nodes only). */
  redisConnection?: DefaultRedisHelper | null;
}

