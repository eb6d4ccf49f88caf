import { getError, type DefaultRedisHelper, type Logger } from '@venizia/ignis-helpers';
import type { AnyObject } from '../protocol/index.js';
import type {
  TPresenceOp,
  IPresenceBeat,
  IPresenceMember,
  IPresenceRoomRefresh,
  IPresenceStore,
  IPresenceStoreTimings,
  IUserPresenceTransition,
} from './presence.js';
import {
  NODE_BEAT,
  NODE_RETIRE,
  ROOM_APPLY,
  ROOM_MEMBERS,
  ROOM_REFRESH,
  ROOM_REJOIN,
  USER_DELIVERED,
  USER_SETTLE,
  USER_SWEEP,
  USER_UP,
} from './presence-redis-scripts.js';
import { closeClient, connectClient, describeTarget, duplicateForPublish, type TRedisClient } from './redis-connection.js';

/**
 * Key names. Each group shares one hash tag, so a Redis Cluster keeps it on one slot:
 * - a room `R`: `ws:presence:room:{R}` (zset: node -> lease expiry) and `ws:presence:room:{R}:<node>`
 *   (hash: clientId -> member JSON). Node ids are UUIDs, so no two rooms' keys can collide.
 * - a user `U`: `ws:presence:user:{U}` (hash: `n:<node>`, `s`, `v`, `p`).
 * - the node registry: `ws:presence:{nodes}` (zset: node -> lease expiry) and its sweep claims.
 * - a node's users: `ws:presence:node:{<node>}:users` (set).
 */
export const PresenceKeys = {
  room: (room: string): string => `ws:presence:room:{${room}}`,
  roomMembersPrefix: (room: string): string => `ws:presence:room:{${room}}:`,
  user: (userId: string): string => `ws:presence:user:{${userId}}`,
  nodes: 'ws:presence:{nodes}',
  sweeps: 'ws:presence:{nodes}:sweeps',
  nodeUsers: (node: string): string => `ws:presence:node:{${node}}:users`,
} as const;

/** A member as stored: `{ u: userId?, i: info? }` (the client id is the hash field). */
const encodeMember = (member: IPresenceMember): string => JSON.stringify({ u: member.userId, i: member.info });

const isObject = (value: unknown): value is AnyObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const decodeMember = (clientId: string, raw: string): IPresenceMember => {
  const member: IPresenceMember = { clientId };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return member;
  }
  if (!isObject(parsed)) return member;
  if (typeof parsed.u === 'string') member.userId = parsed.u;
  if (isObject(parsed.i)) member.info = parsed.i;
  return member;
};

/** `clientId, json, clientId, json…` from a script, as members. */
const decodePairs = (flat: unknown[], from: number): IPresenceMember[] => {
  const members: IPresenceMember[] = [];
  for (let i = from; i + 1 < flat.length; i += 2) members.push(decodeMember(String(flat[i]), String(flat[i + 1])));
  return members;
};

/** A script's `{ status, version }` answer, or undefined for nil. */
const readTransition = (userId: string, reply: unknown): IUserPresenceTransition | undefined => {
  if (!Array.isArray(reply)) return undefined;
  const [status, version] = reply;
  if (status !== 'online' && status !== 'offline') return undefined;
  return { userId, status, version: Number(version) };
};

/**
 * Presence in Redis (single server or Cluster): the leases of presence.ts as sorted sets scored by
 * expiry, one Lua script per step (presence-redis-scripts.ts). It has a connection of its own,
 * opened on the first call (or `start()`); that connection never queues commands while Redis is
 * away: they fail at once (and after `commandTimeout` when Redis hangs), and the node's next
 * refresh finds what was lost and writes it again.
 */
export class RedisPresenceStore implements IPresenceStore {
  readonly kind = 'redis';
  private client?: TRedisClient;
  private connecting?: Promise<TRedisClient>;
  private stopped = false;

  constructor(
    private readonly redisConnection: DefaultRedisHelper,
    private readonly timings: IPresenceStoreTimings,
    /** `commandTimeout`: ms a call waits for Redis before it fails (0: forever); `closeTimeout`: ms `stop()` waits for QUIT. */
    private readonly limits: { commandTimeout: number; closeTimeout: number },
    private readonly logger: Logger,
  ) {}

  async start(opts: { lazy?: boolean } = {}): Promise<void> {
    this.stopped = false;
    if (!opts.lazy) await this.connection();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const pending = this.connecting;
    this.connecting = undefined;
    this.client = undefined;
    const client = await pending?.catch(() => undefined);
    if (client) await closeClient(client, this.limits.closeTimeout);
  }

  apply(node: string, room: string, ops: TPresenceOp[]): Promise<boolean> {
    const { lease, retention } = this.timings;
    const keys = [PresenceKeys.room(room), PresenceKeys.roomMembersPrefix(room) + node];
    const triples = ops.flatMap(op => ('add' in op ? ['a', op.add.clientId, encodeMember(op.add)] : ['r', op.remove, '']));
    return this.call(async client => (await ROOM_APPLY.run(client, keys, [node, lease, retention, ...triples])) === 1);
  }

  async rejoin(node: string, room: string, members: IPresenceMember[]): Promise<void> {
    const { lease, retention } = this.timings;
    const keys = [PresenceKeys.room(room), PresenceKeys.roomMembersPrefix(room) + node];
    const pairs = members.flatMap(member => [member.clientId, encodeMember(member)]);
    await this.call(client => ROOM_REJOIN.run(client, keys, [node, lease, retention, ...pairs]));
  }

  async refresh(node: string, room: string): Promise<IPresenceRoomRefresh> {
    const { lease, retention } = this.timings;
    const prefix = PresenceKeys.roomMembersPrefix(room);
    const reply = await this.call(client => ROOM_REFRESH.run(client, [PresenceKeys.room(room), prefix + node], [node, lease, retention, prefix]));
    const flat = Array.isArray(reply) ? reply : [];
    return { room, lapsed: flat[0] === 1, expired: decodePairs(flat, 1) };
  }

  async members(room: string): Promise<IPresenceMember[]> {
    const reply = await this.call(client => ROOM_MEMBERS.run(client, [PresenceKeys.room(room)], [PresenceKeys.roomMembersPrefix(room)]));
    return Array.isArray(reply) ? decodePairs(reply, 0) : [];
  }

  async beat(node: string): Promise<IPresenceBeat> {
    const reply = await this.call(client => NODE_BEAT.run(client, [PresenceKeys.nodes, PresenceKeys.sweeps], [node, this.timings.lease]));
    const [fresh, claimed] = Array.isArray(reply) ? reply : [];
    return typeof claimed === 'string' ? { fresh: fresh === 1, claimed } : { fresh: fresh === 1 };
  }

  async retire(node: string, graceMs: number): Promise<void> {
    await this.call(client => NODE_RETIRE.run(client, [PresenceKeys.nodes], [node, Math.max(1, Math.round(graceMs))]));
  }

  nodeUsers(node: string): Promise<string[]> {
    return this.call(client => client.smembers(PresenceKeys.nodeUsers(node)));
  }

  async untrackUser(node: string, userId: string): Promise<void> {
    await this.call(client => client.srem(PresenceKeys.nodeUsers(node), userId));
  }

  async forgetNode(node: string): Promise<void> {
    await this.call(client => Promise.all([client.zrem(PresenceKeys.sweeps, node), client.del(PresenceKeys.nodeUsers(node))]));
  }

  async userUp(node: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    // The node's set first: a sweep of this node must find every user it may hold.
    await this.call(client => client.sadd(PresenceKeys.nodeUsers(node), userId));
    return readTransition(userId, await this.call(client => USER_UP.run(client, [PresenceKeys.user(userId)], [node])));
  }

  async userDown(node: string, userId: string): Promise<void> {
    await this.call(client => client.hdel(PresenceKeys.user(userId), `n:${node}`));
  }

  async userSettle(node: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    const reply = await this.call(client => USER_SETTLE.run(client, [PresenceKeys.user(userId)], [node, this.timings.retention]));
    return readTransition(userId, reply);
  }

  async sweepUser(node: string, dead: string, userId: string): Promise<IUserPresenceTransition | undefined> {
    const reply = await this.call(client => USER_SWEEP.run(client, [PresenceKeys.user(userId)], [node, dead, this.timings.retention]));
    return readTransition(userId, reply);
  }

  async delivered(node: string, userId: string, version: number): Promise<void> {
    await this.call(client => USER_DELIVERED.run(client, [PresenceKeys.user(userId)], [node, String(version)]));
  }

  /** Runs `work` on the connection; fails after `commandTimeout` ms, so a Redis that hangs cannot stall a caller (or a shutdown). */
  private async call<T>(work: (client: TRedisClient) => Promise<T>): Promise<T> {
    const running = this.connection().then(work);
    const ms = this.limits.commandTimeout;
    if (ms <= 0) return running;
    running.catch(() => undefined); // settled by the race below; a late failure is not unhandled
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(getError({ message: `[RedisPresenceStore] Redis did not answer within ${ms} ms` })), ms);
    });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The store's connection, opened on first use; a failed open is tried again on the next call. */
  private connection(): Promise<TRedisClient> {
    if (this.client) return Promise.resolve(this.client);
    if (this.stopped) return Promise.reject(getError({ message: '[RedisPresenceStore] presence used after shutdown(); configure() the helper or emitter again first.' }));
    this.connecting ??= this.open().then(
      client => (this.client = client),
      error => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  private async open(): Promise<TRedisClient> {
    const client = duplicateForPublish(this.redisConnection);
    client.on('error', () => undefined); // failures surface on the calls; the tracker logs them (throttled)
    try {
      await connectClient(client);
    } catch (error) {
      client.disconnect();
      throw getError({
        message: `[RedisPresenceStore] cannot reach Redis at ${describeTarget(this.redisConnection)} for presence (${String((error as Error)?.message ?? error).replace(/\.$/, '')}); check that redis-server is running and reachable`,
      });
    }
    this.logger.info('[RedisPresenceStore] presence connection ready');
    return client;
  }
}
