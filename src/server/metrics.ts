/**
 * The helper's Prometheus metrics: a prom-client `Registry` of its own (never the global one, so
 * two helpers in a process and the app's own metrics never collide) whose metrics read the
 * helper's plain counters when scraped. Nothing here runs on a hot path. Every metric, its type
 * and its labels are listed in wiki/operations.md#metrics (a test keeps the two equal).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { WebSocketClientStates, type TWebSocketClientState } from '../protocol/index.js';
import { OTHER_CLOSE_CODE, type ServerTelemetry, type TKindCounts } from './telemetry.js';
import type { IWebSocketDeliveryStats } from './types.js';

/** What the registry reads from a helper at scrape time. */
export interface IWebSocketMetricsSource {
  telemetry: ServerTelemetry;
  stats: Readonly<IWebSocketDeliveryStats>;
  /** `'memory'`, `'redis'` or `'redis-cluster'`. */
  broker: string;
  /** Tracked sockets by client state. */
  connectionsByState(): Record<TWebSocketClientState, number>;
  /** Distinct users with a socket on this node. */
  users(): number;
  /** Rooms with a member on this node. */
  rooms(): number;
  /** Channels this node is subscribed to on the broker. */
  subscriptions(): number;
  /** Whether Redis answers (both connections ready and answering PING in time); absent without Redis (no `ignis_ws_redis_up` then). */
  redisUp?(): Promise<boolean | undefined>;
}

/** Prefix of every metric the helper exposes. */
export const METRICS_PREFIX = 'ignis_ws_';

/**
 * Where each `getStats()` counter is exposed (`metric{label="value"}`). Typed over every key of
 * `IWebSocketDeliveryStats`, so a counter added there does not compile until it is mapped here.
 */
export const DELIVERY_STATS_METRICS: Readonly<Record<keyof IWebSocketDeliveryStats, string>> = Object.freeze({
  sent: 'ignis_ws_frames_sent_total',
  published: 'ignis_ws_topic_publishes_total',
  dropped: 'ignis_ws_deliveries_dropped_total{reason=~"backpressure|socket_closed|encryption_queue_full|client_gone|other"}',
  backpressured: 'ignis_ws_backpressure_total',
  slowConsumerClosed: 'ignis_ws_slow_consumer_closes_total',
  transformFailed: 'ignis_ws_deliveries_dropped_total{reason="transform_failed"}',
  publishFailed: 'ignis_ws_broker_publish_failures_total',
  publishDroppedBufferFull: 'ignis_ws_deliveries_dropped_total{reason="redis_buffer_full"}',
  publishDroppedTimeout: 'ignis_ws_deliveries_dropped_total{reason="redis_timeout"}',
  publishDroppedLost: 'ignis_ws_deliveries_dropped_total{reason="redis_lost"}',
  publishBuffered: 'ignis_ws_broker_publish_buffered',
  malformedInbound: 'ignis_ws_broker_messages_ignored_total{reason="malformed"}',
  refusedInbound: 'ignis_ws_broker_messages_ignored_total{reason="refused"}',
  received: 'ignis_ws_broker_messages_total',
});

type TLabels = Record<string, string>;
type TSamples = number | Array<[TLabels, number]>;

const byKind = (counts: TKindCounts): Array<[TLabels, number]> => Object.entries(counts).map(([kind, value]) => [{ kind }, value]);

/** A counter whose value is read from the helper when scraped (prom-client counters only go up, so it is reset and set). */
const readCounter = (registry: Registry, name: string, help: string, labelNames: string[], read: () => TSamples): void => {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      const samples = read();
      if (typeof samples === 'number') this.inc(samples);
      else for (const [labels, value] of samples) this.inc(labels, value);
    },
  });
};

/** A gauge read from the helper when scraped. */
const readGauge = (registry: Registry, name: string, help: string, labelNames: string[], read: () => TSamples | Promise<TSamples>): void => {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      const samples = await read();
      if (typeof samples === 'number') this.set(samples);
      else for (const [labels, value] of samples) this.set(labels, value);
    },
  });
};

/** The registry of one helper. */
export const createMetricsRegistry = (source: IWebSocketMetricsSource): Registry => {
  const registry = new Registry();
  const { telemetry: t, stats: s } = source;

  readGauge(registry, 'ignis_ws_info', 'Always 1; the broker backend as a label.', ['broker'], () => [[{ broker: source.broker }, 1]]);
  readGauge(registry, 'ignis_ws_connections', 'Sockets open on this node, by client state.', ['state'], () =>
    Object.entries(source.connectionsByState()).map(([state, value]) => [{ state }, value]),
  );
  readGauge(registry, 'ignis_ws_users', 'Distinct users with an authenticated socket on this node.', [], () => source.users());
  readGauge(registry, 'ignis_ws_rooms', 'Rooms with at least one member on this node.', [], () => source.rooms());
  readGauge(registry, 'ignis_ws_broker_subscriptions', 'Broker channels this node is subscribed to (rooms, users and clients it hosts, plus broadcast).', [], () =>
    source.subscriptions(),
  );
  readGauge(registry, 'ignis_ws_broker_publish_buffered', 'Cross-node publishes waiting for Redis to acknowledge them.', [], () => s.publishBuffered);
  const redisUp = source.redisUp?.bind(source);
  if (redisUp) {
    readGauge(registry, 'ignis_ws_redis_up', '1 when both Redis connections are ready and answer PING within healthTimeout, else 0 (absent without Redis).', [], async () =>
      (await redisUp()) ? 1 : 0,
    );
  }

  readCounter(registry, 'ignis_ws_connections_opened_total', 'Sockets opened (upgrades accepted).', [], () => t.connectionsOpened);
  readCounter(registry, 'ignis_ws_connections_closed_total', `Sockets closed, by close code ('${OTHER_CLOSE_CODE}': a code the package does not use).`, ['code'], () =>
    [...t.connectionsClosed].map(([code, value]) => [{ code: code === 0 ? OTHER_CLOSE_CODE : String(code) }, value]),
  );
  readCounter(registry, 'ignis_ws_upgrades_refused_total', 'Upgrades refused at the gate (HTTP 429 / 503), by cap.', ['reason'], () =>
    Object.entries(t.upgradesRefused).map(([reason, value]) => [{ reason }, value]),
  );
  readCounter(registry, 'ignis_ws_authentications_total', 'Authentications by result; failures by reason (rejected, error, timeout, encryption).', ['result', 'reason'], () => [
    [{ result: 'success' }, t.authSucceeded],
    ...Object.entries(t.authFailed).map(([reason, value]): [TLabels, number] => [{ result: 'failure', reason }, value]),
  ]);
  readCounter(registry, 'ignis_ws_frames_received_total', 'Frames received from client sockets (heartbeats and refused frames included).', [], () => t.framesReceived);
  readCounter(registry, 'ignis_ws_frames_sent_total', 'Frames handed to sockets one by one (direct sends, exclude lists, encrypted clients).', [], () => s.sent);
  readCounter(registry, 'ignis_ws_topic_publishes_total', 'Bun topic publishes (one per room or broadcast fan-out, whatever the member count).', [], () => s.published);
  readCounter(registry, 'ignis_ws_backpressure_total', 'Sends that found the socket backpressured (queued by Bun, not lost).', [], () => s.backpressured);
  readCounter(registry, 'ignis_ws_messages_sent_total', 'Messages the app sent through the helper, by kind (one per call).', ['kind'], () => byKind(t.sent));
  readCounter(registry, 'ignis_ws_deliveries_dropped_total', 'Messages that never reached their socket or other nodes, and inbound frames dropped by the rate limit, by reason.', ['reason'], () => {
    const d = t.dropped;
    const other = s.dropped - d.backpressure - d.socket_closed - d.encryption_queue_full - d.client_gone;
    const samples: Array<[TLabels, number]> = [
      ...Object.entries(d).map(([reason, value]): [TLabels, number] => [{ reason }, value]),
      [{ reason: 'transform_failed' }, s.transformFailed],
      [{ reason: 'rate_limit' }, t.rateLimited],
      [{ reason: 'redis_buffer_full' }, s.publishDroppedBufferFull],
      [{ reason: 'redis_timeout' }, s.publishDroppedTimeout],
      [{ reason: 'redis_lost' }, s.publishDroppedLost],
    ];
    if (other > 0) samples.push([{ reason: 'other' }, other]);
    return samples;
  });
  readCounter(registry, 'ignis_ws_slow_consumer_closes_total', 'Clients closed with 4006 (slow consumer).', [], () => s.slowConsumerClosed);
  readCounter(registry, 'ignis_ws_broker_publishes_total', 'Cross-node publishes, by kind.', ['kind'], () => byKind(t.published));
  readCounter(registry, 'ignis_ws_broker_publish_failures_total', 'Cross-node publishes that failed, for any reason (the redis_* drops included).', [], () => s.publishFailed);
  readCounter(registry, 'ignis_ws_broker_messages_total', 'Messages that arrived from the broker (own echoes, malformed and refused ones included).', [], () => s.received);
  readCounter(registry, 'ignis_ws_broker_messages_received_total', 'Messages from other nodes or emitters handed to local delivery, by kind.', ['kind'], () => byKind(t.received));
  readCounter(registry, 'ignis_ws_broker_messages_ignored_total', "Messages from the broker not delivered: this node's own echo, malformed, or refused.", ['reason'], () => [
    [{ reason: 'own' }, t.receivedOwn],
    [{ reason: 'malformed' }, s.malformedInbound],
    [{ reason: 'refused' }, s.refusedInbound],
  ]);

  registry.registerMetric(t.authDuration);
  registry.registerMetric(t.crossNodeDuration);
  return registry;
};

/** Tracked sockets by state, zero for states nobody is in (so every series is always present). */
export const countByState = (states: Iterable<{ state: TWebSocketClientState }>): Record<TWebSocketClientState, number> => {
  const counts: Record<TWebSocketClientState, number> = {
    [WebSocketClientStates.UNAUTHORIZED]: 0,
    [WebSocketClientStates.AUTHENTICATING]: 0,
    [WebSocketClientStates.AUTHENTICATED]: 0,
    [WebSocketClientStates.DISCONNECTED]: 0,
  };
  for (const { state } of states) counts[state]++;
  return counts;
};
