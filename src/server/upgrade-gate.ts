import type { Logger } from '@venizia/ignis-helpers';
import { LogThrottle } from '../logging/log-throttle.js';
import { ClientAddress } from './client-address.js';
import type { IResolvedProtectionOptions } from './options.js';
import { ConnectionCap } from './rate-limiter.js';
import type { ServerTelemetry, TUpgradeRefusal } from './telemetry.js';
import type { IBunServer, IWebSocketData } from './types.js';

/** Why an upgrade was refused, and the answer it gets. */
export interface IUpgradeRefusal {
  kind: TUpgradeRefusal;
  status: number;
  message: string;
}

const PER_ADDRESS: IUpgradeRefusal = { kind: 'connections-per-address', status: 429, message: 'Too many connections from this address' };
const UNAUTHENTICATED_PER_NODE: IUpgradeRefusal = {
  kind: 'unauthenticated-per-node',
  status: 503,
  message: 'Too many connections waiting to authenticate; try again later',
};
const UNAUTHENTICATED_PER_ADDRESS: IUpgradeRefusal = {
  kind: 'unauthenticated-per-address',
  status: 429,
  message: 'Too many connections waiting to authenticate from this address',
};

/** True for a refusal, false for the socket data of an admitted upgrade. */
export const isUpgradeRefusal = (entry: IWebSocketData | IUpgradeRefusal): entry is IUpgradeRefusal => 'kind' in entry;

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

  /**
   * Reserves the slots of one upgrade: the socket data to upgrade with, or why not. Nothing is
   * counted or logged for a refusal until `refuse()`: the caller may find the request was not an
   * upgrade at all.
   */
  enter(req: Request, server: IBunServer): IWebSocketData | IUpgradeRefusal {
    const ip = this.needsAddress ? this.addresses.resolve(server.requestIP?.(req)?.address, req.headers) : undefined;
    if (!this.countsUnauthenticated) {
      return this.connections.tryAcquire(ip) ? { clientId: crypto.randomUUID(), ip, pendingAuth: false } : PER_ADDRESS;
    }
    if (this.maxUnauthenticated > 0 && this.unauthenticated >= this.maxUnauthenticated) return UNAUTHENTICATED_PER_NODE;
    if (!this.unauthenticatedPerAddress.tryAcquire(ip)) return UNAUTHENTICATED_PER_ADDRESS;
    if (!this.connections.tryAcquire(ip)) {
      this.unauthenticatedPerAddress.release(ip);
      return PER_ADDRESS;
    }
    this.unauthenticated++;
    return { clientId: crypto.randomUUID(), ip, pendingAuth: true };
  }

  /** Answers a refused upgrade: counted by kind, logged (throttled), the HTTP status to send. */
  refuse(refusal: IUpgradeRefusal): Response {
    this.telemetry.upgradesRefused[refusal.kind]++;
    this.logs.warn(refusal.kind, `refusing upgrades with HTTP ${refusal.status}: ${refusal.message.toLowerCase()}`);
    return new Response(refusal.message, { status: refusal.status });
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
}
