/**
 * Sharded pub/sub on a real three-master Redis Cluster: a channel's messages touch only the shard
 * that owns its hash slot (counted per master with INFO commandstats, PUBSUB SHARDNUMSUB and the
 * cluster bus counters of CLUSTER INFO), change sets go out one SSUBSCRIBE per slot, classic
 * pub/sub on the same Cluster does not reach the nodes, and a restarted master is subscribed to
 * again. The cross-node behaviour suite runs on the same kind of cluster in test/cross-instance/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Logger, type RedisClusterHelper } from '@venizia/ignis-helpers';
import type { Redis } from 'ioredis';
import { RedisClusterBroker, WebSocketChannels, WebSocketMessageTypes, resolveBrokerOptions, type IRedisSocketMessage } from '../../src';
import { clusterSlotOf, groupBySlot, versionWithoutShardedPubSub } from '../../src/broker/sharded-pubsub';
import { redisHelperAt } from '../support/redis';
import { TestRedisCluster } from '../support/redis-cluster';

const logger = Logger.get('broker-redis-cluster');
let cluster: TestRedisCluster;
/** One plain connection per master, in `cluster.ports` order, to ask each one about itself. */
let masters: Redis[];
const helpers: RedisClusterHelper[] = [];
const brokers: RedisClusterBroker[] = [];

beforeAll(async () => {
  cluster = await TestRedisCluster.start();
  masters = cluster.ports.map(port => redisHelperAt(port, `master-${port}`).getClient());
  await Promise.all(masters.map(m => m.connect()));
}, 30_000);

afterAll(async () => {
  for (const broker of brokers.splice(0)) await broker.stop();
  for (const helper of helpers.splice(0)) helper.getClient().disconnect();
  for (const master of masters) master.disconnect();
  await cluster.stop();
}, 20_000);

/** A started Cluster broker recording what it receives; `publishOnly` starts it as an emitter's. */
const broker = async (publishOnly = false) => {
  const helper = cluster.helper();
  helpers.push(helper);
  const b = new RedisClusterBroker(helper, logger, resolveBrokerOptions());
  brokers.push(b);
  const received: { channel: string; event: string }[] = [];
  let wake: (() => void) | undefined;
  await b.start(publishOnly ? undefined : { message: (m, channel) => {
    received.push({ channel, event: (m as IRedisSocketMessage).event });
    wake?.();
  }, malformed: () => undefined });
  const until = async (count: number) => {
    while (received.length < count) await new Promise<void>(resolve => (wake = resolve));
  };
  return { broker: b, received, until };
};

const roomMessage = (room: string, event: string): IRedisSocketMessage => ({ serverId: 'test', type: WebSocketMessageTypes.ROOM, target: room, event, data: 1 });

/** Per master: how often it has executed `command` so far (INFO commandstats). */
const commandCalls = async (command: string): Promise<number[]> =>
  Promise.all(masters.map(async m => Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await m.info('commandstats'))?.[1] ?? 0)));

/** Per master: a cluster bus counter of CLUSTER INFO (Redis lists a message type only once it is non-zero). */
const busCounter = async (field: string): Promise<number[]> =>
  Promise.all(masters.map(async m => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(String(await m.call('CLUSTER', 'INFO')))?.[1] ?? 0)));

const minus = (after: number[], before: number[]) => after.map((n, i) => n - before[i]!);

/** The index (in `cluster.ports`) of the master that owns a channel's slot. */
const ownerIndex = (channel: string): number => cluster.ports.indexOf(cluster.ownerOf(clusterSlotOf(channel)));

/** Resolves once `master` lists `count` sharded subscribers of `channel`; Redis announces no subscription, so this asks every 50 ms. */
const untilShardSubscribers = async (master: Redis, channel: string, count: number): Promise<void> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [, subscribed] = (await master.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
    if (Number(subscribed) >= count) return;
    if (Date.now() > deadline) throw new Error(`${subscribed} of ${count} sharded subscriber(s) of ${channel} after 10 s`);
    await Bun.sleep(50);
  }
};

describe('hash slots', () => {
  test('the slot of a channel is the one Redis computes (CLUSTER KEYSLOT), hash tags and UTF-8 included', async () => {
    const names = [
      WebSocketChannels.BROADCAST,
      WebSocketChannels.forRoom({ room: 'lobby' }),
      WebSocketChannels.forUser({ userId: 'user-42' }),
      WebSocketChannels.forClient({ clientId: '0b6f4c1e-3f7a-4c1d-9a57-5f8d1c2b3a4e' }),
      WebSocketChannels.forRoom({ room: 'café ☕ 部屋' }),
      'ws:room:{team}a',
      'ws:room:{team}b',
      'ws:room:{}x',
      'ws:room:{a}{b}',
      'ws:room:}{x}',
      'ws:room:{unclosed',
      '',
    ];
    const expected = await Promise.all(names.map(name => masters[0]!.call('CLUSTER', 'KEYSLOT', name)));
    expect(names.map(clusterSlotOf)).toEqual(expected.map(Number));
  });

  test('channels are grouped by slot: those sharing a hash tag go together, the rest one each', () => {
    const tagged = ['ws:room:{t}1', 'ws:room:{t}2', 'ws:room:{t}3'];
    const groups = groupBySlot(['ws:room:x', ...tagged, 'ws:room:y']);
    expect(groups).toContainEqual(tagged);
    expect(groups.flat().sort()).toEqual(['ws:room:x', ...tagged, 'ws:room:y'].sort());
    expect(groups.length).toBe(3);
  });

  test('a server older than Redis 7 (no sharded pub/sub) is named; 7 and later, or no version, pass', () => {
    expect(versionWithoutShardedPubSub('# Server\r\nredis_version:6.2.14\r\nredis_mode:cluster\r\n')).toBe('6.2.14');
    expect(versionWithoutShardedPubSub('# Server\r\nredis_version:7.0.15\r\n')).toBeUndefined();
    expect(versionWithoutShardedPubSub('redis_version:8.2.1\r\nvalkey_version:8.1.0\r\n')).toBeUndefined();
    expect(versionWithoutShardedPubSub('')).toBeUndefined();
  });
});

describe('sharded pub/sub on a three-master cluster', () => {
  test("a channel's messages touch only its shard: SSUBSCRIBE and SPUBLISH on the owning master alone, nothing over the cluster bus", async () => {
    // Four rooms per master, picked by the slot their channel hashes to.
    const rooms: string[] = [];
    const perMaster = [0, 0, 0];
    for (let i = 0; rooms.length < 12; i++) {
      const index = ownerIndex(WebSocketChannels.forRoom({ room: `r${i}` }));
      if (perMaster[index]! < 4) {
        perMaster[index]!++;
        rooms.push(`r${i}`);
      }
    }
    const channels = rooms.map(room => WebSocketChannels.forRoom({ room }));
    const hosting = await broker();
    const idle = await broker();
    const emitter = await broker(true);
    for (const channel of channels) hosting.broker.subscribe(channel);
    await hosting.broker.settled();

    // Subscribed on the owning master only, and with sharded pub/sub only.
    for (const channel of channels) {
      const numsub = await Promise.all(masters.map(async m => Number(((await m.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1])));
      expect([channel, numsub]).toEqual([channel, [0, 1, 2].map(i => (i === ownerIndex(channel) ? 1 : 0))]);
    }
    const classic = await Promise.all(masters.map(async m => ((await m.call('PUBSUB', 'NUMSUB', ...channels)) as (string | number)[]).filter((_, i) => i % 2 === 1).map(Number)));
    expect(classic.flat().every(n => n === 0)).toBe(true);

    const spublishBefore = await commandCalls('spublish');
    const publishBefore = await commandCalls('publish');
    const busBefore = await Promise.all(['publish', 'publishshard'].map(type => busCounter(`cluster_stats_messages_${type}_received`)));
    // Room i gets i + 1 messages, so each master's count is a different sum.
    const expectedPerMaster = [0, 0, 0];
    let total = 0;
    for (const [i, room] of rooms.entries()) {
      for (let n = 0; n <= i; n++) await emitter.broker.publish(channels[i]!, roomMessage(room, `${room}-${n}`));
      expectedPerMaster[ownerIndex(channels[i]!)]! += i + 1;
      total += i + 1;
    }
    await hosting.until(total);

    // Messages per shard: each master executed exactly the SPUBLISHes of the channels it owns.
    expect(minus(await commandCalls('spublish'), spublishBefore)).toEqual(expectedPerMaster);
    expect(expectedPerMaster.every(n => n > 0)).toBe(true);
    expect(minus(await commandCalls('publish'), publishBefore)).toEqual([0, 0, 0]);
    // No master forwarded any of it to another over the cluster bus (a classic PUBLISH reaches all of them).
    const busAfter = await Promise.all(['publish', 'publishshard'].map(type => busCounter(`cluster_stats_messages_${type}_received`)));
    expect(busAfter.map((after, i) => minus(after, busBefore[i]!))).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(hosting.received.length).toBe(total);
    expect(idle.received).toEqual([]);
  });

  test('a change set is one SSUBSCRIBE (and later one SUNSUBSCRIBE) per hash slot; channels sharing a slot share the command', async () => {
    const hosting = await broker();
    const emitter = await broker(true);
    const tagged = ['{crew}1', '{crew}2', '{crew}3', '{crew}4'].map(room => WebSocketChannels.forRoom({ room }));
    const single = ['solo-a', 'solo-b', 'solo-c'].map(room => WebSocketChannels.forRoom({ room }));
    await hosting.broker.settled();
    const subscribesBefore = await commandCalls('ssubscribe');
    for (const channel of [...tagged, ...single]) hosting.broker.subscribe(channel);
    await hosting.broker.settled();
    expect(minus(await commandCalls('ssubscribe'), subscribesBefore).reduce((a, b) => a + b)).toBe(1 + single.length);

    // Every channel of the shared command was subscribed, on its master.
    for (const [i, channel] of [...tagged, ...single].entries()) await emitter.broker.publish(channel, roomMessage('x', `m${i}`));
    await hosting.until(tagged.length + single.length);
    expect(hosting.received.map(r => r.channel).sort()).toEqual([...tagged, ...single].sort());

    const unsubscribesBefore = await commandCalls('sunsubscribe');
    for (const channel of [...tagged, ...single]) hosting.broker.unsubscribe(channel);
    await hosting.broker.settled();
    expect(minus(await commandCalls('sunsubscribe'), unsubscribesBefore).reduce((a, b) => a + b)).toBe(1 + single.length);
    const left = await Promise.all(masters.map(async m => ((await m.call('PUBSUB', 'SHARDNUMSUB', ...tagged, ...single)) as (string | number)[]).filter((_, i) => i % 2 === 1).map(Number)));
    expect(left.flat().every(n => n === 0)).toBe(true);
  });

  test('classic PUBLISH on the same cluster (an upstream node, an older emitter) does not reach a node: only SPUBLISH does', async () => {
    const hosting = await broker();
    // Both published on the master that owns ws:broadcast, on one connection: a classic message
    // that reached the node would arrive before the sharded one.
    const master = masters[ownerIndex(WebSocketChannels.BROADCAST)]!;
    const envelope = (event: string) => JSON.stringify({ serverId: 'upstream', type: 'broadcast', event, data: 1 });
    await master.publish(WebSocketChannels.BROADCAST, envelope('classic'));
    await master.spublish(WebSocketChannels.BROADCAST, envelope('sharded'));
    await hosting.until(1);
    expect(hosting.received).toEqual([{ channel: WebSocketChannels.BROADCAST, event: 'sharded' }]);
  });

  // Last: it restarts a master, whose plain connection in `masters` does not come back.
  test('when the master that owns a channel restarts, the node subscribes there again by itself and receives again', async () => {
    const hosting = await broker();
    const channel = WebSocketChannels.forRoom({ room: 'survivor' });
    hosting.broker.subscribe(channel);
    await hosting.broker.settled();
    const port = cluster.ownerOf(clusterSlotOf(channel));
    await cluster.restartNode(port);

    const restarted = redisHelperAt(port, 'restarted').getClient();
    await restarted.connect();
    try {
      await untilShardSubscribers(restarted, channel, 1);
      const emitter = await broker(true);
      await emitter.broker.publish(channel, roomMessage('survivor', 'after-restart'));
      await hosting.until(1);
      expect(hosting.received).toEqual([{ channel, event: 'after-restart' }]);
    } finally {
      restarted.disconnect();
    }
  }, 30_000);
});
