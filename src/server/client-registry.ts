import { WebSocketChannels, WebSocketClientStates, WebSocketDefaults, WebSocketReadyStates, type AnyObject } from '../protocol/index.js';
import { type IWebSocket, type IWebSocketClient } from './types.js';
import type { IWebSocketBroker } from '../broker/index.js';
import type { IRateBucket } from './rate-limiter.js';
import type { IPresenceHooks } from './presence.js';
import { within } from '../timing/within.js';

const noop = (): void => undefined;
const SETTLED: Promise<void> = Promise.resolve();

/**
 * What the registry keeps per connection: the public client record plus the few numbers only
 * the server reads. They live on the record itself rather than in side maps keyed by client id
 * (an admitted set, rate-limit buckets, auth start times), so a connection costs one object and
 * one map entry, and dropping it from `clients` drops everything.
 */
export interface IClientRecord<MetadataType extends AnyObject = AnyObject> extends IWebSocketClient<MetadataType>, IRateBucket {
  /** Completed authentication once (its state may since have moved on). */
  admitted: boolean;
  /** `performance.now()` when `authenticate` arrived; 0 before (the auth-duration metric). */
  authStartedAt: number;
}

/**
 * The three indexes (clients, users, rooms) and the Bun topic and broker subscriptions that
 * follow them. Every membership change goes through here, so the indexes, the socket's topics
 * and the node's cross-instance interest can never disagree.
 */
export class ClientRegistry<MetadataType extends AnyObject = AnyObject> {
  readonly clients = new Map<string, IClientRecord<MetadataType>>();
  /**
   * Sessions per user: the one client id of a user with a single connection (most users), a Set
   * once there are more. Read it through the user methods below.
   */
  private readonly users = new Map<string, string | Set<string>>();
  readonly rooms = new Map<string, Set<string>>();
  /** Number of tracked clients with encryption on; 0 lets fan-out skip looking for them. */
  encryptedCount = 0;
  /** The bounded wait on the broker's current change set, shared by everyone waiting on that set. */
  private boundedWait?: { set: Promise<void>; wait: Promise<void> };
  /** Told about joins, leaves and a user's first / last local connection; unset (no cost) while presence is off. */
  presence?: IPresenceHooks<MetadataType>;

  constructor(private readonly broker: IWebSocketBroker) {}

  /** Tracks a socket that just opened. Every field is set here, so all records share one shape. */
  add(socket: IWebSocket): IClientRecord<MetadataType> {
    const now = Date.now();
    const client: IClientRecord<MetadataType> = {
      id: socket.data.clientId,
      userId: undefined,
      socket,
      state: WebSocketClientStates.UNAUTHORIZED,
      rooms: new Set(),
      backpressured: false,
      encrypted: false,
      connectedAt: now,
      lastActivity: now,
      metadata: undefined,
      serverPublicKey: undefined,
      salt: undefined,
      authTimer: undefined,
      admitted: false,
      authStartedAt: 0,
      rateTokens: 0,
      rateUpdatedAt: 0,
      rateDropped: 0,
      rateWindowStart: 0,
      rateToldAt: 0,
    };
    this.clients.set(client.id, client);
    return client;
  }

  /** Local client by id, only once authenticated (the only clients anything is delivered to). */
  getAuthenticated(clientId: string): IClientRecord<MetadataType> | undefined {
    const client = this.clients.get(clientId);
    return client?.state === WebSocketClientStates.AUTHENTICATED ? client : undefined;
  }

  /** Completes authentication: user index, client channel, broadcast topic, own-id room. */
  admit(client: IClientRecord<MetadataType>, userId: string | undefined): void {
    client.state = WebSocketClientStates.AUTHENTICATED;
    client.admitted = true;
    client.userId = userId;
    if (userId !== undefined) {
      const sessions = this.users.get(userId);
      if (sessions === undefined) {
        this.users.set(userId, client.id);
        this.broker.subscribe(WebSocketChannels.forUser({ userId }));
        this.presence?.userArrived(userId);
      } else if (typeof sessions === 'string') {
        if (sessions !== client.id) this.users.set(userId, new Set([sessions, client.id]));
      } else {
        sessions.add(client.id);
      }
    }
    if (this.broker.tracksInterest) this.broker.subscribe(WebSocketChannels.forClient({ clientId: client.id }));
    if (!client.encrypted) client.socket.subscribe(WebSocketDefaults.BROADCAST_TOPIC);
    // The own-id room: listed in client.rooms, but it has no entry in `rooms` and no Bun topic
    // (see ownRoomMember: sends to it go straight to the socket), which saves a Set and a native
    // topic per connection.
    client.rooms.add(client.id);
  }

  /** The client whose own-id room `room` is, when it is local and authenticated. */
  ownRoomMember(room: string): IClientRecord<MetadataType> | undefined {
    return this.rooms.has(room) ? undefined : this.getAuthenticated(room);
  }

  /** Adds a client to a room; false when it was already a member. */
  join(client: IWebSocketClient<MetadataType>, room: string): boolean {
    if (client.rooms.has(room)) return false;
    client.rooms.add(room);
    let members = this.rooms.get(room);
    if (!members) {
      this.rooms.set(room, (members = new Set()));
      this.broker.subscribe(WebSocketChannels.forRoom({ room }));
    }
    members.add(client.id);
    if (!client.encrypted) client.socket.subscribe(room);
    this.presence?.joined(client, room);
    return true;
  }

  /**
   * Removes a client from a room; false when it was not a member. `closing`: the socket is going
   * away, and its Bun topics with it, so there is nothing to unsubscribe.
   */
  leave(client: IWebSocketClient<MetadataType>, room: string, closing = false): boolean {
    if (!client.rooms.delete(room)) return false;
    const members = this.rooms.get(room);
    if (members) {
      members.delete(client.id);
      if (members.size === 0) {
        this.rooms.delete(room);
        this.broker.unsubscribe(WebSocketChannels.forRoom({ room }));
      }
    }
    if (!closing && !client.encrypted && room !== client.id && client.socket.readyState === WebSocketReadyStates.OPEN) client.socket.unsubscribe(room);
    this.presence?.left(client, room);
    return true;
  }

  /**
   * Resolves once the broker acknowledged every subscription change so far, or after `maxWaitMs`
   * (so a Redis outage delays an answer by at most that, never stalls it).
   */
  interestSettled(maxWaitMs: number): Promise<void> {
    if (this.broker.isSettled()) return SETTLED;
    // Everyone waiting on one change set shares one bounded wait (one timer per set, not per caller).
    const set = this.broker.settled();
    if (this.boundedWait?.set !== set) this.boundedWait = { set, wait: within(set, maxWaitMs, undefined) };
    return this.boundedWait.wait;
  }

  /** True when no broker subscription change is waiting for Redis (always, in memory). */
  isInterestSettled(): boolean {
    return this.broker.isSettled();
  }

  /** Holds broker interest in `channels()` ahead of a membership change; call the result to release. */
  holdInterest(channelsOf: () => string[]): () => void {
    if (!this.broker.tracksInterest) return noop;
    const channels = channelsOf();
    for (const channel of channels) this.broker.subscribe(channel);
    return () => {
      for (const channel of channels) this.broker.unsubscribe(channel);
    };
  }

  /** Takes the client off every Bun topic for good; it is served one by one from now on. */
  markEncrypted(client: IWebSocketClient<MetadataType>): void {
    if (client.encrypted) return;
    client.encrypted = true;
    this.encryptedCount++;
    const socket = client.socket;
    socket.unsubscribe(WebSocketDefaults.BROADCAST_TOPIC);
    for (const room of client.rooms) if (room !== client.id) socket.unsubscribe(room);
  }

  /** Forgets a client entirely; returns it and whether it had been admitted, or undefined if already gone. */
  remove(clientId: string): { client: IWebSocketClient<MetadataType>; wasAdmitted: boolean } | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const wasAdmitted = client.admitted;
    client.admitted = false;
    // Deleting the current entry while iterating a Set is safe: no copy of the rooms needed.
    for (const room of client.rooms) this.leave(client, room, true);
    if (client.userId !== undefined && wasAdmitted) {
      const sessions = this.users.get(client.userId);
      if (typeof sessions === 'object') {
        sessions.delete(clientId);
        if (sessions.size === 1) this.users.set(client.userId, sessions.values().next().value as string);
      } else if (sessions === clientId) {
        this.users.delete(client.userId);
        this.broker.unsubscribe(WebSocketChannels.forUser({ userId: client.userId }));
        this.presence?.userDeparted(client.userId);
      }
    }
    if (wasAdmitted && this.broker.tracksInterest) this.broker.unsubscribe(WebSocketChannels.forClient({ clientId }));
    if (client.encrypted) this.encryptedCount--;
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.state = WebSocketClientStates.DISCONNECTED;
    this.clients.delete(clientId);
    return { client, wasAdmitted };
  }

  /** Client ids of a user's sessions on this node, or undefined when it has none. */
  userSessions(userId: string): Iterable<string> | undefined {
    const sessions = this.users.get(userId);
    return typeof sessions === 'string' ? [sessions] : sessions;
  }

  /** How many sessions a user has on this node. */
  userSessionCount(userId: string): number {
    const sessions = this.users.get(userId);
    return sessions === undefined ? 0 : typeof sessions === 'string' ? 1 : sessions.size;
  }

  /** Whether a user has a session on this node. */
  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Users with a session on this node. */
  userIds(): IterableIterator<string> {
    return this.users.keys();
  }

  /** Number of users with a session on this node. */
  get userCount(): number {
    return this.users.size;
  }

  /** The tracked clients of a set of ids (a user's sessions, a room's members). */
  lookup(ids: Iterable<string> | undefined): IWebSocketClient<MetadataType>[] {
    const out: IWebSocketClient<MetadataType>[] = [];
    if (!ids) return out;
    for (const id of ids) {
      const client = this.clients.get(id);
      if (client) out.push(client);
    }
    return out;
  }

  /** Forgets everything at once (shutdown, after every client was removed). */
  clear(): void {
    this.clients.clear();
    this.users.clear();
    this.rooms.clear();
    this.encryptedCount = 0;
  }
}
