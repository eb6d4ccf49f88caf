/**
 * Cluster-wide presence on one node: which rooms have it (`presence.rooms`, compiled once), the
 * timer that refreshes this node's leases every `presence.refreshInterval` (one store call per
 * room, whatever its member count: room-presence.ts), user online/offline (user-presence.ts) and
 * `getPresence(room)`. The store (src/broker/presence*.ts) owns what is shared between nodes.
 * The helper hands this tracker to the client registry only when something is on, so with
 * presence off (the default) joins, leaves and fan-out pay for nothing; a room the policy does
 * not match costs one function call per join. Docs: wiki/presence.md
 */
import type { Logger } from '@venizia/ignis-helpers';
import { summarizePresence, type IPresenceStore, type IWebSocketPresence } from '../broker/presence.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { AnyObject } from '../protocol/index.js';
import type { IResolvedPresenceOptions } from './options.js';
import { RoomPresence, type TPresenceEventSink } from './room-presence.js';
import { compileRoomPolicy } from './room-policy.js';
import type { IWebSocketClient, TWebSocketUserPresenceFn } from './types.js';
import { UserPresence } from './user-presence.js';

/** What the client registry tells presence about (only set when presence or `userPresenceFn` is on). */
export interface IPresenceHooks<MetadataType extends AnyObject = AnyObject> {
  /** A client joined a room (any room: presence checks its policy). */
  joined(client: IWebSocketClient<MetadataType>, room: string): void;
  /** A client left a room. */
  left(client: IWebSocketClient<MetadataType>, room: string): void;
  /** The first local connection of a user was admitted. */
  userArrived(userId: string): void;
  /** The last local connection of a user ended. */
  userDeparted(userId: string): void;
}

/**
 * Presence for one helper: room presence when `presence.rooms` matches any room, user
 * online/offline when `userPresenceFn` is set, one timer driving both, and reads for any room.
 */
export class PresenceTracker<MetadataType extends AnyObject = AnyObject> implements IPresenceHooks<MetadataType> {
  private readonly rooms?: RoomPresence<MetadataType>;
  private readonly users?: UserPresence;
  private readonly inflight = new Set<Promise<unknown>>();
  private timer?: ReturnType<typeof setInterval>;
  private ticking = false;

  constructor(
    private readonly store: IPresenceStore,
    private readonly opts: IResolvedPresenceOptions,
    deps: {
      node: string;
      userPresenceFn?: TWebSocketUserPresenceFn;
      sink: TPresenceEventSink;
      hasLocalUser: (userId: string) => boolean;
      localUsers: () => Iterable<string>;
      logger: Logger;
    },
  ) {
    const logs = new LogThrottle(deps.logger);
    const track = (work: Promise<unknown>) => this.track(work);
    const covers = compileRoomPolicy(opts.rooms);
    if (covers) {
      const announces = compileRoomPolicy(opts.events);
      this.rooms = new RoomPresence(store, deps.node, covers, announces, opts.info, deps.sink, track, logs);
    }
    if (deps.userPresenceFn) {
      this.users = new UserPresence(store, deps.userPresenceFn, opts.offlineDelay, { hasLocal: deps.hasLocalUser, localUsers: deps.localUsers }, track, logs);
    }
  }

  /** Whether this node writes presence at all (otherwise it only reads, on demand). */
  get active(): boolean {
    return this.rooms !== undefined || this.users !== undefined;
  }

  /** Connects the store (lazily when inactive), registers the node and starts the refresh timer. */
  async start(): Promise<void> {
    await this.store.start({ lazy: !this.active });
    if (!this.active) return;
    await this.users?.start();
    // Tracked like every write, so stop() waits for a refresh under way.
    this.timer = setInterval(() => this.track(this.tick()), this.opts.refreshInterval);
  }

  /** After every client was removed: waits for the writes, hands pending offline decisions over, releases the store. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.settled();
    await this.users?.retire();
    await this.store.stop();
  }

  /** Who is in a room on every node. */
  async get(room: string): Promise<IWebSocketPresence> {
    return summarizePresence(room, await this.store.members(room));
  }

  joined(client: IWebSocketClient<MetadataType>, room: string): void {
    this.rooms?.joined(client, room);
  }

  left(client: IWebSocketClient<MetadataType>, room: string): void {
    this.rooms?.left(client, room);
  }

  userArrived(userId: string): void {
    this.users?.arrived(userId);
  }

  userDeparted(userId: string): void {
    this.users?.departed(userId);
  }

  /** One refresh: every room's lease (queued behind the room's writes), then the node's own lease (and a sweep of a dead node). */
  async tick(): Promise<void> {
    this.rooms?.refresh();
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.users?.beat();
    } finally {
      this.ticking = false;
    }
  }

  /** Resolves once every presence write started so far has been answered. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private track(work: Promise<unknown>): void {
    const done = work.catch(() => undefined).finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }
}
