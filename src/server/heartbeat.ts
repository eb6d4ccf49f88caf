import { WebSocketClientStates, WebSocketCloseCodes, type AnyObject } from '../protocol/index.js';
import type { ClientRegistry } from './client-registry.js';

/**
 * Passive heartbeat: the server never pings; every `interval` it closes authenticated clients
 * silent for longer than `timeout` with 4002. Any inbound frame counts as activity.
 */
export class HeartbeatSweeper<MetadataType extends AnyObject> {
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly interval: number,
    private readonly timeout: number,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.sweep(), this.interval);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Closes stale clients; returns how many. */
  sweep(now = Date.now()): number {
    let closed = 0;
    for (const client of this.registry.clients.values()) {
      if (client.state !== WebSocketClientStates.AUTHENTICATED) continue;
      if (now - client.lastActivity <= this.timeout) continue;
      client.socket.close(WebSocketCloseCodes.HEARTBEAT_TIMEOUT, 'Heartbeat timeout');
      closed++;
    }
    return closed;
  }
}
