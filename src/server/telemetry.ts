/**
 * What the helper counts for operators beyond `getStats()`: connections opened and closed,
 * authentication outcomes, messages by kind, drops by reason, refused upgrades, and two latency
 * histograms. The parts of the helper write here on their paths; `metrics.ts` reads it when
 * Prometheus scrapes. Counters are plain fields incremented in place (no label lookup, no
 * allocation); the histograms are prom-client's (one bucket search per observation, about
 * 0.2–0.5 µs measured here), observed once per authentication and once per acknowledged cross-node publish.
 * Docs: wiki/operations.md#metrics
 */
import { Histogram } from 'prom-client';
import { WebSocketCloseCodes, type TWebSocketMessageType } from '../protocol/index.js';

/** Why an authentication failed: `authenticateFn` said no, it threw, a timer ran out (4001), or the handshake failed (4004). */
export type TAuthFailureReason = 'rejected' | 'error' | 'timeout' | 'encryption';

/** Why a message accepted for a local client never reached its socket (the parts of `getStats().dropped`). */
export type TDeliveryDropReason = 'backpressure' | 'socket_closed' | 'encryption_queue_full' | 'client_gone';

/** Why an upgrade was refused at the gate (`UpgradeGate`). */
export type TUpgradeRefusal = 'connections-per-address' | 'unauthenticated-per-node' | 'unauthenticated-per-address';

/** Counts per message kind (`client | user | room | broadcast`). */
export type TKindCounts = Record<TWebSocketMessageType, number>;

/** Close codes counted under their own label; any other code a client sends is counted as `other`. */
const NAMED_CLOSE_CODES: ReadonlySet<number> = new Set([
  1000,
  1005,
  1006,
  1011,
  ...Object.values(WebSocketCloseCodes).filter((value): value is number => typeof value === 'number'),
]);

/** Close code label for codes a client chose freely (3000–4999 are its to pick): bounded label values. */
export const OTHER_CLOSE_CODE = 'other';

/** Upper bounds (seconds) of the authentication latency buckets: `authenticateFn` is app code, often a network call. */
export const AUTH_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Upper bounds (seconds) of the cross-node publish latency buckets: a Redis round trip, usually under a millisecond. */
export const CROSS_NODE_DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const kindCounts = (): TKindCounts => ({ client: 0, user: 0, room: 0, broadcast: 0 });

export class ServerTelemetry {
  /** Sockets opened (upgrades Bun completed). */
  connectionsOpened = 0;
  /** Sockets closed, by close code (`0` holds every code not in `NAMED_CLOSE_CODES`). */
  readonly connectionsClosed = new Map<number, number>();
  /** Frames received from client sockets, heartbeats and refused frames included. */
  framesReceived = 0;
  /** Inbound frames dropped by the per-client rate limit. */
  rateLimited = 0;
  authSucceeded = 0;
  readonly authFailed: Record<TAuthFailureReason, number> = { rejected: 0, error: 0, timeout: 0, encryption: 0 };
  readonly dropped: Record<TDeliveryDropReason, number> = { backpressure: 0, socket_closed: 0, encryption_queue_full: 0, client_gone: 0 };
  readonly upgradesRefused: Record<TUpgradeRefusal, number> = {
    'connections-per-address': 0,
    'unauthenticated-per-node': 0,
    'unauthenticated-per-address': 0,
  };
  /** Messages the app sent through the helper, by kind (one per call, whatever the number of recipients). */
  readonly sent: TKindCounts = kindCounts();
  /** Cross-node publishes made, by kind. */
  readonly published: TKindCounts = kindCounts();
  /** Cross-node messages from other nodes (or emitters) handed to local delivery, by kind. */
  readonly received: TKindCounts = kindCounts();
  /** Cross-node messages that were this node's own echo (ignored). */
  receivedOwn = 0;

  /** From the `authenticate` event to the verdict (admitted, or refused with 4003 / 4004); timeouts are not observed. */
  readonly authDuration = new Histogram({
    name: 'ignis_ws_authentication_duration_seconds',
    help: 'Time from the authenticate event to admission or refusal (authenticateFn, handshakeFn and the subscription round trip); timeouts excluded.',
    buckets: AUTH_DURATION_BUCKETS,
    registers: [],
  });

  /** From `send()` publishing for other nodes to Redis acknowledging the PUBLISH (buffer wait + round trip + Redis fan-out). */
  readonly crossNodeDuration = new Histogram({
    name: 'ignis_ws_cross_node_publish_duration_seconds',
    help: 'Cross-node delivery latency as the publishing node sees it: from send() to the broker acknowledging the publish (time held while Redis is away included); acknowledged publishes only.',
    buckets: CROSS_NODE_DURATION_BUCKETS,
    registers: [],
  });

  connectionClosed(code: number): void {
    const key = NAMED_CLOSE_CODES.has(code) ? code : 0;
    this.connectionsClosed.set(key, (this.connectionsClosed.get(key) ?? 0) + 1);
  }

  /** A client was admitted; `startedAt` is when its `authenticate` arrived (`performance.now()`). */
  authAdmitted(startedAt: number): void {
    this.authSucceeded++;
    this.observeAuth(startedAt);
  }

  /** A client was refused; `startedAt` as above, 0 when it never sent `authenticate`. Timeouts are not observed. */
  authRefused(startedAt: number, reason: TAuthFailureReason): void {
    this.authFailed[reason]++;
    if (reason !== 'timeout') this.observeAuth(startedAt);
  }

  private observeAuth(startedAt: number): void {
    if (startedAt > 0) this.authDuration.observe((performance.now() - startedAt) / 1000);
  }
}
