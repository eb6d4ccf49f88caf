/**
 * How interest changes reach Redis (interest-broker.ts): at most one change set in flight, and
 * whatever changes while it waits for Redis goes out as one command when it is acknowledged. Redis
 * is paused (SIGSTOP) to hold a set in flight for as long as a test needs, so nothing here races
 * the clock. Netting within one tick is in broker-suite.test.ts ("cost nothing").
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Logger } from '@venizia/ignis-helpers';
import { RedisBroker, WebSocketChannels, resolveBrokerOptions } from '../../src';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

const logger = Logger.get('interest-broker');

/** SUBSCRIBE and UNSUBSCRIBE commands Redis has executed so far (INFO commandstats). */
const calls = async (): Promise<{ subscribe: number; unsubscribe: number }> => {
  const raw = redis.helper('commandstats').getClient();
  await raw.connect();
  try {
    const info = await raw.info('commandstats');
    const count = (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { subscribe: count('subscribe'), unsubscribe: count('unsubscribe') };
  } finally {
    raw.disconnect();
  }
};

/** Channels Redis has a subscriber for right now. */
const channelsOnRedis = async (): Promise<string[]> => {
  const raw = redis.helper('pubsub').getClient();
  await raw.connect();
  try {
    return ((await raw.pubsub('CHANNELS')) as string[]).sort();
  } finally {
    raw.disconnect();
  }
};

/** One turn of the event loop: what happens after it is not in the same tick. */
const nextTask = () => new Promise<void>(resolve => setImmediate(resolve));

test('changes made while a SUBSCRIBE waits for Redis go out together, netted, as soon as it is acknowledged', async () => {
  const broker = new RedisBroker(redis.helper(), logger, resolveBrokerOptions());
  await broker.start({ message: () => undefined, malformed: () => undefined });
  await broker.settled();
  const room = (name: string) => WebSocketChannels.forRoom({ room: name });
  const before = await calls();

  redis.pause();
  try {
    broker.subscribe(room('first'));
    await nextTask();
    // In flight from here until Redis answers: every change below waits for it, in separate tasks.
    expect(broker.isSettled()).toBe(false);
    for (const name of ['a', 'b', 'c']) {
      broker.subscribe(room(name));
      await nextTask();
    }
    // Joined and left again while waiting: never reaches Redis.
    broker.subscribe(room('brief'));
    await nextTask();
    broker.unsubscribe(room('brief'));
    await nextTask();
    expect(broker.getSubscribedChannels().sort()).toEqual([WebSocketChannels.BROADCAST, room('first')].sort());
  } finally {
    redis.resume();
  }
  // settled() covers the set sent after the first one's acknowledgement too.
  await broker.settled();
  expect(broker.isSettled()).toBe(true);
  expect(await calls()).toEqual({ subscribe: before.subscribe + 2, unsubscribe: before.unsubscribe });
  expect(await channelsOnRedis()).toEqual([WebSocketChannels.BROADCAST, room('a'), room('b'), room('c'), room('first')].sort());
  await broker.stop();
});

test('settled() waits for the changes made before it was called, not for those made after (steady churn cannot starve it)', async () => {
  const broker = new RedisBroker(redis.helper(), logger, resolveBrokerOptions());
  await broker.start({ message: () => undefined, malformed: () => undefined });
  await broker.settled();
  const room = (name: string) => WebSocketChannels.forRoom({ room: name });

  redis.pause();
  let settled: Promise<void>;
  try {
    broker.subscribe(room('earlier'));
    await nextTask();
    settled = broker.settled();
    // Made after the call, while the first set waits: it goes out when that one is acknowledged.
    broker.subscribe(room('later'));
    await nextTask();
  } finally {
    redis.resume();
  }
  await settled;
  // The set holding 'later' was sent the moment 'earlier' was acknowledged and is still unanswered.
  expect(broker.isSettled()).toBe(false);
  expect(broker.getSubscribedChannels()).toContain(room('later'));
  await broker.settled();
  expect(broker.isSettled()).toBe(true);
  expect(await channelsOnRedis()).toEqual([WebSocketChannels.BROADCAST, room('earlier'), room('later')].sort());
  await broker.stop();
});

test('connections that authenticate while a SUBSCRIBE is in flight share one command, and are all reachable from another node', async () => {
  const nodes: ITestNode[] = [];
  const clients: TestClient[] = [];
  try {
    const hosting = await startNode({ redisConnection: redis.helper(), protection: { maxUnauthenticatedPerIp: 0 } });
    nodes.push(hosting);
    const sender = await startNode({ redisConnection: redis.helper() });
    nodes.push(sender);
    await Promise.all(nodes.map(n => n.helper.subscriptionsSettled()));
    const before = await calls();

    redis.pause();
    try {
      // Each `connected` waits for Redis at most WebSocketDefaults.INTEREST_SETTLE_WAIT (1 s), then comes anyway.
      clients.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => TestClient.connect(hosting.url, { token: `user:burst-${i}` })))));
    } finally {
      redis.resume();
    }
    await hosting.helper.subscriptionsSettled();
    // 40 connections, 80 channels (client and user each): one SUBSCRIBE for whatever went out
    // first, one for everything that gathered behind it. Applied one by one, it was 40.
    const subscribes = (await calls()).subscribe - before.subscribe;
    expect(subscribes).toBeGreaterThanOrEqual(1);
    expect(subscribes).toBeLessThanOrEqual(2);

    for (const [i, client] of clients.entries()) sender.helper.send({ destination: client.id, payload: { topic: 'direct', data: i } });
    for (const [i, client] of clients.entries()) expect((await client.next('direct')).data).toBe(i);
  } finally {
    for (const client of clients) await client.close();
    for (const node of nodes) await node.stop();
  }
}, 15_000);
