import type {
  TPresenceOp,
  IPresenceBeat,
  IPresenceMember,
  IPresenceRoomRefresh,
  IPresenceStore,
  IPresenceStoreTimings,
  IUserPresenceTransition,
} from './presence.js';

/** One node's lease in one room and its members there. */
interface IRoomLease {
  expires: number;
  members: Map<string, IPresenceMember>;
}

/** A user's presence: the nodes holding a connection, the state, its version, who owes the notification. */
interface IUserState {
  nodes: Set<string>;
  online: boolean;
  version: number;
  pending?: string;
}


/**
 * The presence of one process: every helper and emitter created without a Redis connection
 * meets here, as they meet in `InMemoryHub` for messages. It holds the same leases, with the same
 * semantics, as the Redis store (see presence.ts).
 */
export class InMemoryPresenceHub {
  /** The process-wide hub used when none is given. */
  static readonly shared = new InMemoryPresenceHub();

  /** The next version: above every version handed out so far and never below the clock. */
  nextVersion(now: number): number {
    this.lastVersion = Math.max(this.lastVersion + 1, now * 1000);
    return this.lastVersion;
  }

  readonly rooms = new Map<string, Map<string, IRoomLease>>();
  readonly users = new Map<string, IUserState>();
  /**
   * Last version handed out to any user. Versions come from one process-wide counter that never
   * goes below the clock (in microsecond-sized steps, as in Redis), so a user whose entry was
   * dropped after going offline still gets a higher version next time, even within one millisecond.
   */
  private lastVersion = 0;
  /** The node registry: node -> lease expiry. */
  readonly leases = new Map<string, number>();
  /** Nodes claimed for a sweep: node -> claim expiry. */
  readonly sweeps = new Map<string, number>();
  readonly nodeUsers = new Map<string, Set<string>>();
}

/** A presence store over an `InMemoryPresenceHub`: Redis semantics, no Redis. */
export class InMemoryPresenceStore implements IPresenceStore {
  readonly kind = 'memory';

  constructor(
    private readonly timings: IPresenceStoreTimings,
    private readonly hub: InMemoryPresenceHub = InMemoryPresenceHub.shared,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async apply(node: string, room: string, ops: TPresenceOp[]): Promise<boolean> {
    const lease = this.leaseOf(node, room);
    const lapsed = lease.members.size === 0;
    for (const op of ops) {
      if ('add' in op) lease.members.set(op.add.clientId, op.add);
      else lease.members.delete(op.remove);
    }
    if (lease.members.size === 0) this.drop(node, room);
    return lapsed;
  }

  async rejoin(node: string, room: string, members: IPresenceMember[]): Promise<void> {
    const lease = this.leaseOf(node, room);
    lease.members = new Map(members.map(member => [member.clientId, member]));
    if (lease.members.size === 0) this.drop(node, room);
  }

  /** A node's lease in a room goes with its last member. */
  private drop(node: string, room: string): void {
    const leases = this.hub.rooms.get(room);
    leases?.delete(node);
    if (leases?.size === 0) this.hub.rooms.delete(room);
  }

  async refresh(node: string, room: string): Promise<IPresenceRoomRefresh> {
    const now = Date.now();
    const leases = this.hub.rooms.get(room);
    const expired: IPresenceMember[] = [];
    for (const [other, lease] of leases ?? []) {
      if (other === node || lease.expires > now) continue;
      leases?.delete(other);
      expired.push(...lease.members.values());
    }
    const lapsed = !leases?.get(node)?.members.size;
    if (!lapsed) this.leaseOf(node, room);
    return { room, lapsed, expired };
  }

  async members(room: string): Promise<IPresenceMember[]> {
    const now = Date.now();
    const out: IPresenceMember[] = [];
    const leases = this.hub.rooms.get(room);
    for (const [node, lease] of leases ?? []) {
      if (lease.expires > now) out.push(...lease.members.values());
      // Long dead and never refreshed away (nobody else hosts the room): forgotten, as a Redis key expires.
      else if (lease.expires + this.timings.retention <= now) leases?.delete(node);
    }
    return out;
  }

  async beat(node: string): Promise<IPresenceBeat> {
    const now = Date.now();
    const { leases, sweeps } = this.hub;
    const fresh = !leases.has(node);
    leases.set(node, now + this.timings.lease);
    let claimed: string | undefined;
    for (const [other, expires] of leases) {
      if (expires > now) continue;
      leases.delete(other);
      claimed = other;
      break;
    }
    if (claimed === undefined) {
      for (const [other, expires] of sweeps) {
        if (expires > now) continue;
        claimed = other;
        break;
      }
    }
    if (claimed !== undefined) sweeps.set(claimed, now + this.timings.lease);
    return claimed === undefined ? { fresh } : { fresh, claimed };
  }

  async retire(node: string, graceMs: number): Promise<void> {
    this.hub.leases.set(node, Date.now() + graceMs);
  }

  async nodeUsers(node: string): Promise<string[]> {
    return [...(this.hub.nodeUsers.get(node) ?? [])];
  }

  async untrackUser(node: string, userId: string): Promise<void> {
    this.hub.nodeUsers.get(node)?.delete(userId);
  }

  async forgetNode(node: string): Promise<void> {
    this.hub.sweeps.delete(node);
    this.hub.nodeUsers.delete(node);
  }

  async userUp(node: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    let users = this.hub.nodeUsers.get(node);
    if (!users) this.hub.nodeUsers.set(node, (users = new Set()));
    users.add(userId);
    const user = this.userOf(userId);
    user.nodes.add(node);
    if (user.online) return undefined;
    return this.transition(user, userId, true, node);
  }

  async userDown(node: string, userId: string): Promise<void> {
    this.hub.users.get(userId)?.nodes.delete(node);
  }

  async userSettle(node: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    const user = this.hub.users.get(userId);
    if (!user?.online || user.nodes.size > 0) return undefined;
    return this.transition(user, userId, false, node);
  }

  async sweepUser(node: string, dead: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    const user = this.hub.users.get(userId);
    if (!user) return undefined;
    user.nodes.delete(dead);
    if (user.online && user.nodes.size === 0) return this.transition(user, userId, false, node);
    if (user.pending !== dead) return undefined;
    user.pending = node;
    return { userId, status: user.online ? 'online' : 'offline', version: user.version };
  }

  async delivered(node: string, userId: string, version: number): Promise<void> {
    const user = this.hub.users.get(userId);
    if (!user || user.pending !== node || user.version !== version) return;
    user.pending = undefined;
    // An offline user owed nothing holds nothing worth keeping: versions restart from the clock.
    if (!user.online && user.nodes.size === 0) this.hub.users.delete(userId);
  }

  private leaseOf(node: string, room: string): IRoomLease {
    let leases = this.hub.rooms.get(room);
    if (!leases) this.hub.rooms.set(room, (leases = new Map()));
    let lease = leases.get(node);
    if (!lease) leases.set(node, (lease = { expires: 0, members: new Map() }));
    lease.expires = Date.now() + this.timings.lease;
    return lease;
  }

  private userOf(userId: string): IUserState {
    let user = this.hub.users.get(userId);
    if (!user) this.hub.users.set(userId, (user = { nodes: new Set(), online: false, version: 0 }));
    return user;
  }

  private transition(user: IUserState, userId: string, online: boolean, node: string): IUserPresenceTransition {
    user.online = online;
    user.version = this.hub.nextVersion(Date.now());
    user.pending = node;
    return { userId, status: online ? 'online' : 'offline', version: user.version };
  }
}
