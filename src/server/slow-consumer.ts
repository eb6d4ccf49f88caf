import { WebSocketCloseCodes, WebSocketReadyStates, type AnyObject } from '../protocol/index.js';
import type { LogThrottle } from '../logging/log-throttle.js';
import type { ServerTelemetry } from './telemetry.js';
import type { IWebSocketClient, IWebSocketDeliveryStats } from './types.js';

/** The resolved options the slow-consumer policy reads (see options.ts). */
export interface ISlowConsumerOptions {
  /** `serverOptions.backpressureLimit`: bytes a socket may hold unsent before Bun refuses frames (0: no limit). */
  backpressureLimit: number;
  /** `serverOptions.closeOnBackpressureLimit`: close a slow consumer with 4006 (true) or only drop and count (false). */
  close: boolean;
  /** `maxQueuedEncrypted`: messages one encrypted client may have waiting for the transformer (0: no cap). */
  maxQueuedEncrypted: number;
}

/**
 * What happens to a client that does not read fast enough. Bun refuses every frame to a socket
 * past `backpressureLimit` (`send` returns 0, and a topic publish skips it without a word), so
 * each refusal is counted in `dropped` and, by default, the client is closed with 4006 at the
 * first one: it knows it missed messages and the client library reconnects. Bun's own
 * `closeOnBackpressureLimit` is never passed on: it drops the connection without a close code.
 * The encryption queue of a client is capped the same way (`maxQueuedEncrypted`).
 */
export class SlowConsumerPolicy<MetadataType extends AnyObject> {
  /** Encrypted messages accepted per client and not yet sent or dropped. */
  private readonly queued = new Map<string, number>();

  constructor(
    private readonly opts: ISlowConsumerOptions,
    private readonly stats: IWebSocketDeliveryStats,
    private readonly logs: LogThrottle,
    private readonly telemetry: ServerTelemetry,
  ) {}

  /** Bun refused a frame to this client's socket: it is closed or closing, or past `backpressureLimit`. */
  refused(client: IWebSocketClient<MetadataType>): void {
    this.stats.dropped++;
    if (client.socket.readyState === WebSocketReadyStates.OPEN) {
      this.telemetry.dropped.backpressure++;
      this.apply(client, `is past backpressureLimit (${this.opts.backpressureLimit} bytes unsent)`);
      return;
    }
    this.telemetry.dropped.socket_closed++;
    this.logs.warn('dropped', `message dropped: socket of client ${client.id} refused it (closed or closing)`);
  }

  /** True when a topic publish that some subscriber refused was refused by this client (its socket is past the limit). */
  isPastLimit(client: IWebSocketClient<MetadataType>): boolean {
    const socket = client.socket;
    return (
      this.opts.backpressureLimit > 0 &&
      socket.readyState === WebSocketReadyStates.OPEN &&
      socket.getBufferedAmount() > this.opts.backpressureLimit
    );
  }

  /** Takes a place in the client's encryption queue; false when it is full (the message is dropped, the policy applied). */
  enqueue(client: IWebSocketClient<MetadataType>): boolean {
    const queued = this.queued.get(client.id) ?? 0;
    const cap = this.opts.maxQueuedEncrypted;
    if (cap > 0 && queued >= cap) {
      this.stats.dropped++;
      this.telemetry.dropped.encryption_queue_full++;
      this.apply(client, `has ${queued} messages waiting for encryption (maxQueuedEncrypted)`);
      return false;
    }
    this.queued.set(client.id, queued + 1);
    return true;
  }

  /** One of the client's queued encrypted messages was sent, failed or dropped. */
  dequeue(clientId: string): void {
    const left = (this.queued.get(clientId) ?? 1) - 1;
    if (left > 0) this.queued.set(clientId, left);
    else this.queued.delete(clientId);
  }

  private apply(client: IWebSocketClient<MetadataType>, why: string): void {
    if (!this.opts.close) {
      this.logs.warn('slow-consumer-drop', `client ${client.id} ${why}; messages are dropped (closeOnBackpressureLimit is off)`);
      return;
    }
    if (client.socket.readyState !== WebSocketReadyStates.OPEN) return;
    this.stats.slowConsumerClosed++;
    this.logs.warn('slow-consumer', `client ${client.id} ${why}; closing with 4006`);
    client.socket.close(WebSocketCloseCodes.SLOW_CONSUMER, 'Slow consumer');
  }
}
