/**
 * User online/offline for backend code (`userPresenceFn`), debounced across a user's sockets and
 * nodes, with a version per transition. Who fires what:
 * - online: the node whose `userUp` found the user offline (one atomic store call), at once;
 * - offline: the node where the user's last socket went, `offlineDelay` later, if its `userSettle`
 *   finds no node holding a connection of the user any more (one atomic store call), so a user who
 *   reconnects within the window (anywhere) never goes offline;
 * - for a node that died (or lost its writes): a live node that claimed it in the node registry
 *   sweeps its users — offline for those held nowhere else, and re-delivery of any notification
 *   the dead node owed (it had not confirmed delivering it).
 * So delivery is at least once: a notification may come twice (the second with the same version)
 * and late; the version orders them. A node that lost contact with the store registers under a
 * new presence id and writes its users again, so a sweep of its old id cannot undo them.
 * Docs: wiki/presence.md#online-and-offline
 */
import type { IPresenceStore, IUserPresenceTransition } from '../broker/presence.js';
import type { LogThrottle } from '../logging/log-throttle.js';
import type { TWebSocketUserPresenceFn } from './types.js';

/** What the registry knows about this node's users. */
export interface ILocalUsers {
  hasLocal(userId: string): boolean;
  localUsers(): Iterable<string>;
}

/** Runs the store calls of one user one after another: an up must never overtake the down before it. */
class PerUserQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(userId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(userId) ?? Promise.resolve()).then(work);
    const tail = next.catch(() => undefined);
    this.tails.set(userId, tail);
    void tail.then(() => {
      if (this.tails.get(userId) === tail) this.tails.delete(userId);
    });
    return next;
  }
}

export class UserPresence {
  /** This node's presence id: a fresh one after every loss of contact (see `beat`). */
  private node = crypto.randomUUID();
  private registered = false;
  /** A write failed: the next beat registers a new id and writes every local user again. */
  private lost = false;
  private readonly settling = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly queue = new PerUserQueue();

  constructor(
    private readonly store: IPresenceStore,
    private readonly handler: TWebSocketUserPresenceFn,
    private readonly offlineDelay: number,
    private readonly local: ILocalUsers,
    private readonly track: (work: Promise<unknown>) => void,
    private readonly logs: LogThrottle,
  ) {}

  /** Registers this node in the store's node registry. */
  async start(): Promise<void> {
    await this.beat();
  }

  arrived(userId: string): void {
    const timer = this.settling.get(userId);
    if (timer) clearTimeout(timer);
    this.settling.delete(userId);
    this.track(this.queue.run(userId, () => this.up(userId)).catch(error => this.failed('userUp', error)));
  }

  departed(userId: string): void {
    this.track(this.queue.run(userId, () => this.store.userDown(this.node, userId)).catch(error => this.failed('userDown', error)));
    const timer = this.settling.get(userId);
    if (timer) clearTimeout(timer);
    this.settling.set(
      userId,
      setTimeout(() => {
        this.settling.delete(userId);
        this.track(this.queue.run(userId, () => this.settle(userId)).catch(error => this.failed('userSettle', error)));
      }, this.offlineDelay),
    );
  }

  /** Keeps this node's registry lease alive; re-registers after a lapse or a lost write; sweeps a claimed dead node. */
  async beat(): Promise<void> {
    try {
      const { fresh, claimed } = await this.store.beat(this.node);
      if ((fresh && this.registered) || this.lost) await this.reregister();
      this.registered = true;
      if (claimed !== undefined) await this.sweep(claimed);
    } catch (error) {
      this.failed('beat', error);
    }
  }

  /**
   * Graceful exit, after every local client was removed: pending offline decisions are left to
   * the node that sweeps this one, `offlineDelay` from now (a user who reconnects elsewhere
   * meanwhile stays online).
   */
  async retire(): Promise<void> {
    for (const timer of this.settling.values()) clearTimeout(timer);
    this.settling.clear();
    await this.store.retire(this.node, this.offlineDelay).catch(error => this.failed('retire', error));
  }

  private async up(userId: string): Promise<void> {
    const node = this.node;
    await this.notify(node, await this.store.userUp(node, userId));
  }

  private async settle(userId: string): Promise<void> {
    if (this.local.hasLocal(userId)) return;
    const node = this.node;
    const transition = await this.store.userSettle(node, userId);
    await this.notify(node, transition);
    if (!this.local.hasLocal(userId)) await this.store.untrackUser(node, userId);
  }

  /** A new presence id, holding every local user; the old id lapses and is swept (re-delivering what it owed). */
  private async reregister(): Promise<void> {
    this.lost = false;
    this.node = crypto.randomUUID();
    await this.store.beat(this.node);
    await Promise.all([...this.local.localUsers()].map(userId => this.queue.run(userId, () => this.up(userId))));
  }

  private async sweep(dead: string): Promise<void> {
    const node = this.node;
    for (const userId of await this.store.nodeUsers(dead)) {
      await this.queue.run(userId, async () => this.notify(node, await this.store.sweepUser(node, dead, userId)));
    }
    await this.store.forgetNode(dead);
  }

  /** Calls the handler, then confirms delivery; a throwing handler is logged, not retried (only a dead node's unconfirmed notification is sent again, by its sweeper). */
  private async notify(node: string, transition: IUserPresenceTransition | undefined): Promise<void> {
    if (!transition) return;
    try {
      await this.handler({ ...transition });
    } catch (error) {
      this.logs.error('userPresenceFn', 'userPresenceFn threw:', error);
      return;
    }
    await this.store.delivered(node, transition.userId, transition.version).catch(error => this.failed('delivered', error));
  }

  private failed(step: string, error: unknown): void {
    this.lost = true;
    this.logs.warn('user-presence', `user presence ${step} failed; this node registers again at the next refresh: ${error}`);
  }
}
