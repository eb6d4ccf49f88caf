/**
 * Cluster-wide presence behind one interface, one file per backend (like the brokers):
 * - `InMemoryPresenceStore` (presence-memory.ts): the helpers of one process, no Redis.
 * - `RedisPresenceStore` (presence-redis.ts): single Redis and Redis Cluster (every key of a room,
 *   of a user, of the node registry shares one hash tag, so each script touches one slot).
 *
 * What is stored, and why it costs O(rooms) per refresh rather than O(clients):
 * - Per room, each node owns one LEASE (its expiry time) and one set of its members there. A
 *   refresh bumps the lease of every room the node hosts, one call per room whatever the member
 *   count. Readers list the members of live leases only, so a node that dies (`kill -9`) drops out
 *   of every room once its lease runs out, with no clean-up code running anywhere.
 * - The first node to refresh a room after a lease ran out removes the dead node's members there
 *   and gets them back (`expired`), exactly once cluster-wide, to tell the room they left.
 * - Per user: which nodes hold a connection of the user, the user's online state, a version bumped
 *   on every transition and the node that still owes the notification (`pending`). Nodes hold
 *   leases in a registry; a node whose lease ran out is claimed by one live node, which sweeps its
 *   users (offline transitions, and re-delivery of notifications the dead node owed).
 * Times come from the store's own clock (Redis `TIME`), so node clocks never have to agree.
 * Docs: wiki/presence.md
 */
import type { AnyObject } from '../protocol/index.js';

/** One connection present in a room. */
export interface IPresenceMember {
  clientId: string;
  userId?: string;
  /** What the app's `presence.info` picked from the connection's authentication. */
  info?: AnyObject;
}

/** One change to a node's members in a room; a batch of them is applied in order, atomically. */
export type TPresenceOp = { add: IPresenceMember } | { remove: string };

/** What a refresh of one room found. */
export interface IPresenceRoomRefresh {
  room: string;
  /** This node's members there were gone (its lease had run out, or the store lost them): re-add them with `rejoin`. */
  lapsed: boolean;
  /** Members of other nodes whose lease had run out, removed by this refresh; no other node gets them. */
  expired: IPresenceMember[];
}

/** A user's online/offline transition, with the version that orders it among the user's transitions. */
export interface IUserPresenceTransition {
  userId: string;
  status: 'online' | 'offline';
  /** Greater than every earlier version of this user (seeded from the store's clock, so also after the store lost its data). */
  version: number;
}

/** What a node's heartbeat in the registry found. */
export interface IPresenceBeat {
  /** This node was not registered: first beat, or its lease had run out (it may have been swept). */
  fresh: boolean;
  /** A node whose lease ran out, now claimed by this node for a sweep (see `sweepUser`, `forgetNode`). */
  claimed?: string;
}

/** Timings a store needs (resolved presence options). */
export interface IPresenceStoreTimings {
  /** ms a lease lasts without a refresh. */
  lease: number;
  /** ms every other key is kept after its last write, so what a dead node left disappears on its own. */
  retention: number;
}

/**
 * The timings for a lease: every other key is kept three leases after its last write, which
 * outlasts a dead node's lease plus the refreshes that clean up after it (lease > 2 refreshes).
 */
export const presenceTimings = (lease: number): IPresenceStoreTimings => ({ lease, retention: 3 * lease });

/** Where presence lives. Every method is atomic on its own; `node` is the calling node's presence id. */
export interface IPresenceStore {
  /** `'memory'` or `'redis'`, for logs. */
  readonly kind: string;
  /**
   * Connects (a Redis store), or with `lazy` only makes the store usable again after a `stop()`:
   * it then connects on its first call. A new store connects on its first call too.
   */
  start(opts?: { lazy?: boolean }): Promise<void>;
  /** Releases the connection once every call made so far was answered; calls fail until `start()`. */
  stop(): Promise<void>;

  /**
   * Applies joins and leaves of `node`'s members in `room`, in order, as one atomic step, and bumps
   * the node's lease there (the lease goes with the last member). True when the node had nothing
   * there before: its first member, or its members had lapsed (then `rejoin` the rest).
   */
  apply(node: string, room: string, ops: TPresenceOp[]): Promise<boolean>;
  /** Replaces every member of `node` in `room` (after a lapse or a lost write) and bumps the lease. */
  rejoin(node: string, room: string, members: IPresenceMember[]): Promise<void>;
  /** Bumps the lease of `node` in a room: one atomic call, whatever the member count; removes (and returns) members of lapsed nodes. */
  refresh(node: string, room: string): Promise<IPresenceRoomRefresh>;
  /** Members of a room on every node whose lease there is live. */
  members(room: string): Promise<IPresenceMember[]>;

  /** Bumps the lease of `node` in the node registry and claims at most one node whose lease ran out. */
  beat(node: string): Promise<IPresenceBeat>;
  /** A graceful exit: the node's lease is cut to `graceMs`, after which a live node sweeps its users. */
  retire(node: string, graceMs: number): Promise<void>;
  /** The users a node holds (or held, for a dead one) connections of, or still owes a notification for. */
  nodeUsers(node: string): Promise<string[]>;
  /** Drops a user from the node's set (no connection there any more, nothing owed). */
  untrackUser(node: string, userId: string): Promise<void>;
  /** Forgets a swept node: its claim and its set of users. */
  forgetNode(node: string): Promise<void>;

  /** The user has a connection on `node`; online transition when the user was offline. */
  userUp(node: string, userId: string): Promise<IUserPresenceTransition | undefined>;
  /** The user has no connection left on `node` (the offline decision comes later, from `userSettle`). */
  userDown(node: string, userId: string): Promise<void>;
  /** After the debounce: offline transition when no node holds a connection of the user any more. */
  userSettle(node: string, userId: string): Promise<IUserPresenceTransition | undefined>;
  /** Drops a dead node's hold on a user: offline transition, or the dead node's undelivered notification, now owed by `node`. */
  sweepUser(node: string, dead: string, userId: string): Promise<IUserPresenceTransition | undefined>;
  /** `node` delivered the notification of `version`: nothing is owed any more (unless a newer transition happened). */
  delivered(node: string, userId: string, version: number): Promise<void>;
}

/** One user in `IWebSocketPresence`. */
export interface IWebSocketPresenceUser {
  userId: string;
  /** The user's connections in the room, on every node. */
  connections: number;
  /** The `presence.info` of one of those connections (the first found that has one). */
  info?: AnyObject;
}

/** Who is in a room, cluster-wide: what `getPresence(room)` answers. */
export interface IWebSocketPresence {
  room: string;
  /** Every connection in the room, anonymous ones (no user id) included. */
  connections: number;
  /** One entry per user, in no particular order. */
  users: IWebSocketPresenceUser[];
}

/** Groups a room's members by user. */
export const summarizePresence = (room: string, members: IPresenceMember[]): IWebSocketPresence => {
  const users = new Map<string, IWebSocketPresenceUser>();
  for (const member of members) {
    if (member.userId === undefined) continue;
    const user = users.get(member.userId);
    if (!user) {
      users.set(member.userId, member.info === undefined ? { userId: member.userId, connections: 1 } : { userId: member.userId, connections: 1, info: member.info });
      continue;
    }
    user.connections++;
    if (user.info === undefined && member.info !== undefined) user.info = member.info;
  }
  return { room, connections: members.length, users: [...users.values()] };
};
