/**
 * Readiness of one node, for a load balancer or Kubernetes: ready (HTTP 200) only while the
 * helper is configured, its first broker subscriptions are acknowledged, it is not shutting down
 * and Redis (when used) answers. Docs: wiki/operations.md#health
 */

/** Where the helper is in its life: `starting` until configure() finished and its subscriptions were acknowledged. */
export type TWebSocketLifecyclePhase = 'starting' | 'ready' | 'stopping' | 'stopped';

/** `ok`, or why the node should get no traffic. */
export type TWebSocketHealthStatus = 'ok' | 'starting' | 'redis-down' | 'stopping' | 'stopped';

/** The readiness route's JSON body (`helper.getHealth()`). */
export interface IWebSocketHealth {
  /** `ok` (HTTP 200), or `starting` / `redis-down` / `stopping` / `stopped` (HTTP 503). */
  status: TWebSocketHealthStatus;
  /** `'memory'`, `'redis'` or `'redis-cluster'`. */
  broker: string;
  /** `up` / `down`, or `none` without Redis. */
  redis: 'up' | 'down' | 'none';
  /** Sockets open on this node (authenticated or not). */
  clients: number;
  /** This node's id on the broker (`getServerId()`). */
  node: string;
}

/** The status for a phase and a Redis probe (undefined: no Redis). */
export const healthStatus = (phase: TWebSocketLifecyclePhase, redisUp: boolean | undefined): TWebSocketHealthStatus => {
  if (phase !== 'ready') return phase;
  return redisUp === false ? 'redis-down' : 'ok';
};

/** The HTTP answer for a health body: 200 when `ok`, else 503; never cached. */
export const healthResponse = (health: IWebSocketHealth): Response =>
  Response.json(health, { status: health.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
