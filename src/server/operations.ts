/**
 * The helper's operator endpoints: readiness (`getHealth()`, `healthPath`) and Prometheus metrics
 * (`getMetrics()`, `metricsPath`), and the HTTP answers for both. The component mounts them on
 * the app's Hono server; an app that runs the helper alone calls `respondToOperations(req)` from
 * its own fetch. Docs: wiki/operations.md
 */
import type { Registry } from 'prom-client';
import type { IWebSocketBroker } from '../broker/index.js';
import type { AnyObject } from '../protocol/index.js';
import type { ClientRegistry } from './client-registry.js';
import type { Delivery } from './delivery.js';
import { healthResponse, healthStatus, type IWebSocketHealth, type TWebSocketLifecyclePhase } from './health.js';
import { countByState, createMetricsRegistry } from './metrics.js';
import type { IResolvedTunableOptions } from './options.js';

/** The path of a request URL, without the query (no URL object: this runs for every request the app's fetch sees). */
export const pathOf = (url: string): string => {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const end = url.indexOf('?', start);
  return url.slice(start, end === -1 ? undefined : end);
};

export class OperationsEndpoints<MetadataType extends AnyObject> {
  private registryOfMetrics?: Registry;
  /** For readiness: `ready` once configure() finished and the broker acknowledged its first subscriptions. */
  private phase: TWebSocketLifecyclePhase = 'starting';
  private starts = 0;

  constructor(
    private readonly opts: Pick<IResolvedTunableOptions, 'healthPath' | 'metricsPath' | 'healthTimeout'>,
    private readonly parts: {
      serverId: string;
      broker: IWebSocketBroker;
      registry: ClientRegistry<MetadataType>;
      delivery: Delivery<MetadataType>;
    },
  ) {}

  /** The helper is starting, stopping or has stopped (`configure()` / `shutdown()`). */
  lifecycle(phase: Exclude<TWebSocketLifecyclePhase, 'ready'>): void {
    this.phase = phase;
  }

  /** `configure()` finished: ready once the broker acknowledged the first subscriptions (broadcast, control), however long that takes. */
  configured(): void {
    const attempt = ++this.starts;
    void this.parts.broker.settled().then(() => {
      if (attempt === this.starts && this.phase === 'starting') this.phase = 'ready';
    });
  }

  async health(): Promise<IWebSocketHealth> {
    const { broker, registry, serverId } = this.parts;
    const redisUp = await broker.isRedisUp(this.opts.healthTimeout);
    return {
      status: healthStatus(this.phase, redisUp),
      broker: broker.kind,
      redis: redisUp === undefined ? 'none' : redisUp ? 'up' : 'down',
      clients: registry.clients.size,
      node: serverId,
    };
  }

  /** Built on first use, so a helper nobody scrapes never builds it. */
  metricsRegistry(): Registry {
    const { broker, registry, delivery } = this.parts;
    this.registryOfMetrics ??= createMetricsRegistry({
      telemetry: delivery.telemetry,
      stats: delivery.stats,
      broker: broker.kind,
      connectionsByState: () => countByState(registry.clients.values()),
      users: () => registry.userCount,
      rooms: () => registry.rooms.size,
      subscriptions: () => broker.getSubscribedChannels().length,
      redisUp: broker.kind === 'memory' ? undefined : () => broker.isRedisUp(this.opts.healthTimeout),
    });
    return this.registryOfMetrics;
  }

  async metricsResponse(): Promise<Response> {
    const registry = this.metricsRegistry();
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  }

  async healthResponse(): Promise<Response> {
    return healthResponse(await this.health());
  }

  /** The answer to a GET (or HEAD) on `healthPath` or `metricsPath`; undefined for any other request. */
  respond(req: Request): Promise<Response> | undefined {
    const { healthPath, metricsPath } = this.opts;
    if (healthPath === false && metricsPath === false) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const path = pathOf(req.url);
    if (path === healthPath) return this.healthResponse();
    if (path === metricsPath) return this.metricsResponse();
    return undefined;
  }
}
