/**
 * The component's operator routes on the app's Hono server: readiness at `healthPath` (default
 * `/health/ws`) and Prometheus metrics at `metricsPath` (off by default), both from
 * `SERVER_OPTIONS`. They are added when the component is registered, before the app starts, so
 * the readiness route already answers 503 `starting` while the post-start hook connects Redis,
 * and `stopping` while `app.stop()` shuts the helper down. They sit on the top-level Hono app
 * (the path is not under the app's base path) ahead of the middlewares the app adds in
 * `setupMiddlewares()`. Docs: wiki/operations.md
 */
import type { BaseApplication } from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import { healthResponse } from '../server/health.js';
import type { WebSocketServerHelper } from '../server/helper.js';
import { resolveTunableOptions } from '../server/options.js';
import { WebSocketBindingKeys } from './keys.js';
import { readWebSocketBinding } from './read-binding.js';

/** What the routes ask the lifecycle: the helper serving now, or why there is none. */
export interface IOperationsTarget {
  serving(): WebSocketServerHelper | 'starting' | 'stopped';
}

/** `false`, or a plain absolute path; anything else stops start-up with what to write instead. */
const routePath = (name: string, value: unknown): string | false => {
  if (value === false) return false;
  if (typeof value === 'string' && value.startsWith('/') && !/[?#\s]/.test(value)) return value;
  throw getError({
    message: `[WebSocketComponent] SERVER_OPTIONS.${name} is ${JSON.stringify(value)}: use false (no route) or a path starting with '/', e.g. '/metrics'.`,
  });
};

/** Adds the GET routes `SERVER_OPTIONS` asks for; returns the paths mounted. */
export const mountOperationsRoutes = (app: BaseApplication, target: IOperationsTarget): { healthPath: string | false; metricsPath: string | false } => {
  const resolved = resolveTunableOptions(readWebSocketBinding(app, WebSocketBindingKeys.SERVER_OPTIONS) ?? {});
  const healthPath = routePath('healthPath', resolved.healthPath);
  const metricsPath = routePath('metricsPath', resolved.metricsPath);
  if (healthPath !== false && healthPath === metricsPath) {
    throw getError({ message: `[WebSocketComponent] SERVER_OPTIONS.healthPath and metricsPath are both '${healthPath}': give them different paths.` });
  }
  const hono = app.getServer();
  if (healthPath !== false) {
    hono.get(healthPath, async () => {
      const helper = target.serving();
      if (typeof helper === 'string') return Response.json({ status: helper }, { status: 503, headers: { 'cache-control': 'no-store' } });
      return healthResponse(await helper.getHealth());
    });
  }
  if (metricsPath !== false) {
    hono.get(metricsPath, async () => {
      const helper = target.serving();
      if (typeof helper === 'string') return new Response(`WebSocket server ${helper}\n`, { status: 503, headers: { 'cache-control': 'no-store' } });
      const registry = helper.getMetricsRegistry();
      return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
    });
  }
  return { healthPath, metricsPath };
};
