import type { Logger } from '@venizia/ignis-helpers';
import { LogThrottle } from '../logging/log-throttle.js';
import { ClientAddress } from './client-address.js';
import type { IResolvedProtectionOptions } from './options.js';
import { ConnectionCap } from './rate-limiter.js';
import type { ServerTelemetry, TUpgradeRefusal } from './telemetry.js';
import type { IBunServer, IWebSocketData } from './types.js';

/**
 * Admission at upgrade time, before a socket costs anything: open sockets per client address
 * (`maxConnectionsPerIp`, 429) and sockets that have not authenticated yet, per node
 * (`maxUnauthenticated`, 503) and per address (`maxUnauthenticatedPerIp`, 429). The address is
 * the peer's, or the one a trusted proxy forwarded (see `ClientAddress`), and is only looked up
 * when a per-address cap is on. A socket holds its unauthenticated slot until it authenticates
 * or closes, whichever comes first (`socket.data.pendingAuth`).
 */
export class UpgradeGate {
  private readonly addresses: ClientAddress;
  private readonly connections: ConnectionCap;
  private readonly unauthenticatedPerAddress: ConnectionCap;
  private readonly maxUnauthenticated: number;
  private readonly countsUnauthenticated: boolean;
  private readonly needsAddress: boolean;
  private unauthenticated = 0;
  private readonly logs: LogThrottle;

  constructor(
    protection: IResolvedProtectionOptions,
    logger: Logger,
    private readonly telemetry: ServerTelemetry,
  ) {
    this.addresses = new ClientAddress(protection.trustedProxies);
    this.connections = new ConnectionCap(protection.maxConnectionsPerIp);
    this.unauthenticatedPerAddress = new ConnectionCap(protection.maxUnauthenticatedPerIp);
    this.maxUnauthenticated = protection.maxUnauthenticated;
    this.countsUnauthenticated = this.maxUnauthenticated > 0 || this.unauthenticatedPerAddress.enabled;
    this.needsAddress = this.connections.enabled || this.unauthenticatedPerAddress.enabled;
    this.logs = new LogThrottle(logger);
  }

  /** Reserves the slots of one upgrade: the socket data to upgrade with, or the refusal to answer. */
  enter(req: Request, server: IBunServer): IWebSocketData | Response {
    const ip = this.needsAddress ? this.addresses.resolve(server.requestIP?.(req)?.address, req.headers) : undefined;
    const data: IWebSocketData = { clientId: crypto.randomUUID(), ip, pendingAuth: this.countsUnauthenticated };
    if (!this.countsUnauthenticated) {
      return this.connections.tryAcquire(ip) ? data : this.refuse('connections-per-address', 429, 'Too many connections from this address');
    }
    if (this.maxUnauthenticated > 0 && this.unauthenticated >= this.maxUnauthenticated) {
      return this.refuse('unauthenticated-per-node', 503, 'Too many connections waiting to authenticate; try again later');
    }
    if (!this.unauthenticatedPerAddress.tryAcquire(ip)) {
      return this.refuse('unauthenticated-per-address', 429, 'Too many connections waiting to authenticate from this address');
    }
    if (!this.connections.tryAcquire(ip)) {
      this.unauthenticatedPerAddress.release(ip);
      return this.refuse('connections-per-address', 429, 'Too many connections from this address');
    }
    this.unauthenticated++;
    return data;
  }

  /** The socket authenticated: its unauthenticated slot is free (safe to call twice). */
  authenticated(data: IWebSocketData): void {
    if (!data.pendingAuth) return;
    data.pendingAuth = false;
    this.unauthenticated--;
    this.unauthenticatedPerAddress.release(data.ip);
  }

  /** The socket closed (or its upgrade failed): every slot it held is free. Once per socket. */
  left(data: IWebSocketData): void {
    this.authenticated(data);
    this.connections.release(data.ip);
  }

  private refuse(kind: TUpgradeRefusal, status: number, message: string): Response {
    this.telemetry.upgradesRefused[kind]++;
    this.logs.warn(kind, `refusing upgrades with HTTP ${status}: ${message.toLowerCase()}`);
    return new Response(message, { status });
  }
}
