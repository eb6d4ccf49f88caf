/**
 * What scenario `cluster` needs to know about its three-master Redis Cluster (started with the
 * tests' `TestRedisCluster`): the slot ranges redis-cli gives the masters, which bench rooms to use
 * so their channels land on every master.
 */
import { WebSocketChannels } from '../../src/protocol/constants';
import type { TestRedisCluster } from '../../test/support/redis-cluster';
import { ROOM_PREFIX } from './protocol';
import { redisCommand } from './redis';

/** Masters of the bench cluster (no replicas). */
export const CLUSTER_MASTERS = 3;
/** Hash slots of every Redis Cluster. */
const CLUSTER_SLOTS = 16384;
/** Room names tried per room wanted before giving up on an even spread. */
const CANDIDATES_PER_ROOM = 20;

/** Slots of one master, both ends included. */
export interface ISlotRange {
  from: number;
  to: number;
}

/** The ranges `redis-cli --cluster create` gives `masters` masters, in the order they are named (its rounding). */
export const evenSlotRanges = (masters = CLUSTER_MASTERS): ISlotRange[] => {
  const share = CLUSTER_SLOTS / masters;
  return Array.from({ length: masters }, (_, i) => ({
    from: i === 0 ? 0 : Math.round(share * i - 1) + 1,
    to: i === masters - 1 ? CLUSTER_SLOTS - 1 : Math.round(share * (i + 1) - 1),
  }));
};

/**
 * Why the live cluster's slots differ from `evenSlotRanges()` (which the report's labels show),
 * or undefined when every master `i` (ports ascending) owns exactly range `i`'s ends.
 */
export const slotRangeMismatch = (cluster: TestRedisCluster): string | undefined => {
  const wrong = evenSlotRanges(cluster.ports.length).flatMap((range, i) =>
    [range.from, range.to].filter(slot => cluster.ownerOf(slot) !== cluster.ports[i]).map(slot => `slot ${slot} is not on master ${i + 1}`),
  );
  return wrong.length ? wrong.join('; ') : undefined;
};

/** Bench rooms of the scenario and, for each, its channel's hash slot and master (index into the ascending ports). */
export interface IShardRooms {
  rooms: string[];
  slots: number[];
  masters: number[];
}

/** The hash slot of a key or shard channel, as the cluster computes it (`CLUSTER KEYSLOT`). */
const keySlot = async (port: number, key: string): Promise<number> => {
  const reply = await redisCommand(port, `CLUSTER KEYSLOT ${key}`);
  const slot = Number(reply.slice(1));
  if (!reply.startsWith(':') || !Number.isInteger(slot)) throw new Error(`CLUSTER KEYSLOT ${key}: ${reply}`);
  return slot;
};

/**
 * `count` rooms named `bench-shard-<n>` for n = 0, 1, …, each taken only while its channel's
 * master holds fewer than an even share, so the rooms spread over every master as evenly as the
 * count allows. Throws when no such spread is found among `count × 20` names.
 */
export const pickShardRooms = async (cluster: TestRedisCluster, count: number): Promise<IShardRooms> => {
  const share = Math.ceil(count / cluster.ports.length);
  const picked: IShardRooms = { rooms: [], slots: [], masters: [] };
  const perMaster = cluster.ports.map(() => 0);
  for (let n = 0; n < count * CANDIDATES_PER_ROOM && picked.rooms.length < count; n++) {
    const room = `${ROOM_PREFIX}shard-${n}`;
    const slot = await keySlot(cluster.ports[0]!, WebSocketChannels.forRoom({ room }));
    const master = cluster.ports.indexOf(cluster.ownerOf(slot));
    if (perMaster[master]! >= share) continue;
    perMaster[master]!++;
    picked.rooms.push(room);
    picked.slots.push(slot);
    picked.masters.push(master);
  }
  if (picked.rooms.length < count) throw new Error(`no even spread of ${count} rooms over ${cluster.ports.length} masters found`);
  return picked;
};
