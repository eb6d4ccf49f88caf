import { WebSocketChannels, WebSocketClientStates, WebSocketDefaults, WebSocketReadyStates, type AnyObject } from '../protocol/index.js';
import { type IWebSocket, type IWebSocketClient } from './types.js';
import type { IWebSocketBroker } from '../broker/index.js';
import type { IPresenceHooks } from './presence.js';
import { within } from '../timing/within.js';

const noop = (): void => undefined;

/**
 * The three indexes (clients, users, rooms) and the Bun topic and broker subscriptions that
 * follow them. Every membership change goes through here, so the indexes, the socket's topics
 * and the node's cross-instance interest can never disagree.
 */
export class ClientRegistry<MetadataType extends AnyObject = AnyObject> {
  readonly clients = new Map<string, IWebSocketClient<MetadataType>>();
  readonly users = new Map<string, Set<string>>();
  readonly rooms = new Map<string, Set<string>>();
  /** Number of tracked clients with encryption on; 0 lets fan-out skip looking for them. */
  encryptedCount = 0;
  /** Ids of clients that completed authentication (their state may since have moved on). */
  private readonly admitted = new Set<string>();
  /** Told about joins, leaves and a user's first / last local connection; unset (no cost) while presence is off. */
  presence?: IPresenceHooks<MetadataType>;

  constructor(private readonly broker: IWebSocketBroker) {}

  add(socket: IWebSocket): IWebSocketClient<MetadataType> {
    const now = Date.now();
    const client: IWebSocketClient<MetadataType> = {
      id: socket.data.clientId,
      socket,
      state: WebSocketClientStates.UNAUTHORIZED,
      rooms: new Set(),
      backpressured: false,
      encrypted: false,
      connectedAt: now,
      lastActivity: now,
    };
    this.clients.set(client.id, client);
    socket.subscribe(client.id);
    return client;
  }

  /** Local client by id, only once authenticated (the only clients anything is delivered to). */
  getAuthenticated(clientId: string): IWebSocketClient<MetadataType> | undefined {
    const client = this.clients.get(clientId);
    return client?.state === WebSocketClientStates.AUTHENTICATED ? client : undefined;
  }

  /** Completes authentication: user index, client channel, broadcast topic, own-id room. */
  admit(client: IWebSocketClient<MetadataType>, userId: string | undefined): void {
    client.state = WebSocketClientStates.AUTHENTICATED;
    this.admitted.add(client.id);
    client.userId = userId;
    if (userId !== undefined) {
      let sessions = this.users.get(userId);
      if (!sessions) {
        this.users.set(userId, (sessions = new Set()));
        this.broker.subscribe(WebSocketChannels.forUser({ userId }));
        this.presence?.userArrived(userId);
      }
      sessions.add(client.id);
    }
    this.broker.subscribe(WebSocketChannels.forClient({ clientId: client.id }));
    if (!client.encrypted) client.socket.subscribe(WebSocketDefaults.BROADCAST_TOPIC);
    // The own-id room: listed in client.rooms and served by the id topic subscribed at connect;
    // it has no entry in `rooms` (see ownRoomMember), which saves a Set per connection.
    client.rooms.add(client.id);
  }

  /** The client whose own-id room `room` is, when it is local and authenticated. */
  ownRoomMember(room: string): IWebSocketClient<MetadataType> | undefined {
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

  /** Removes a client from a room; false when it was not a member. */
  leave(client: IWebSocketClient<MetadataType>, room: string): boolean {
    if (!client.rooms.delete(room)) return false;
    const members = this.rooms.get(room);
    if (members) {
      members.delete(client.id);
      if (members.size === 0) {
        this.rooms.delete(room);
        this.broker.unsubscribe(WebSocketChannels.forRoom({ room }));
      }
    }
    if (!client.encrypted && client.socket.readyState === WebSocketReadyStates.OPEN) client.socket.unsubscribe(room);
    this.presence?.left(client, room);
    return true;
  }

  /**
   * Resolves once the broker acknowledged every subscription change so far, or after `maxWaitMs`
   * (so a Redis outage delays an answer by at most that, never stalls it).
   */
  async interestSettled(maxWaitMs: number): Promise<void> {
    if (this.broker.isSettled()) return;
    await within(this.broker.settled(), maxWaitMs, undefined);
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
    socket.unsubscribe(client.id);
    socket.unsubscribe(WebSocketDefaults.BROADCAST_TOPIC);
    for (const room of client.rooms) socket.unsubscribe(room);
  }

  /** Forgets a client entirely; returns it and whether it had been admitted, or undefined if already gone. */
  remove(clientId: string): { client: IWebSocketClient<MetadataType>; wasAdmitted: boolean } | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const wasAdmitted = this.admitted.delete(clientId);
    for (const room of [...client.rooms]) this.leave(client, room);
    if (client.userId !== undefined) {
      const sessions = this.users.get(client.userId);
      sessions?.delete(clientId);
      if (sessions && sessions.size === 0) {
        this.users.delete(client.userId);
        this.broker.unsubscribe(WebSocketChannels.forUser({ userId: client.userId }));
        this.presence?.userDeparted(client.userId);
      }
    }
    if (wasAdmitted) this.broker.unsubscribe(WebSocketChannels.forClient({ clientId }));
    if (client.encrypted) this.encryptedCount--;
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.state = WebSocketClientStates.DISCONNECTED;
    this.clients.delete(clientId);
    return { client, wasAdmitted };
  }

  /** The tracked clients of a set of ids (a user's sessions, a room's members). */
  lookup(ids: Set<string> | undefined): IWebSocketClient<MetadataType>[] {
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
    this.admitted.clear();
    this.encryptedCount = 0;
  }
}
