import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Logger, type RedisClusterHelper } from '@venizia/ignis-helpers';
import { RedisBroker, WebSocketChannels, WebSocketEmitter } from '../../src';
import { TestRedisCluster } from '../support/redis-cluster';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let cluster: TestRedisCluster;
const appConnections: RedisClusterHelper[] = [];
const nodes: ITestNode[] = [];
beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 30_000);
afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const c of appConnections) c.getClient().disconnect();
  await cluster.stop();
});

const connection = () => {
  const helper = cluster.helper();
  appConnections.push(helper);
  return helper;
};

test('Redis Cluster: the broker subscribes by interest and delivers across connections', async () => {
  const logger = Logger.get('cluster-test');
  const a = new RedisBroker(connection(), logger);
  const b = new RedisBroker(connection(), logger);
  const got: string[] = [];
  let wake!: () => void;
  const arrived = new Promise<void>(resolve => (wake = resolve));
  await a.start(raw => {
    got.push(JSON.parse(raw).event);
    if (got.length === 2) wake();
  });
  await b.start();
  a.subscribe(WebSocketChannels.forRoom({ room: 'c1' }));
  await a.settled();
  await b.publish(WebSocketChannels.forRoom({ room: 'c1' }), { serverId: 'b', type: 'room', target: 'c1', event: 'room-msg', data: 1 });
  await b.publish(WebSocketChannels.BROADCAST, { serverId: 'b', type: 'broadcast', event: 'all-msg', data: 2 });
  await arrived;
  expect(got.sort()).toEqual(['all-msg', 'room-msg']);
  await a.stop();
  await b.stop();
}, 20_000);

test('Redis Cluster: two helpers deliver send() and emitter messages across nodes exactly once', async () => {
  const a = await startNode({ redisConnection: connection() });
  const b = await startNode({ redisConnection: connection() });
  nodes.push(a, b);
  const onA = await TestClient.connect(a.url, { token: 'user:erin' });
  const onB = await TestClient.connect(b.url, { token: 'user:erin' });
  await onB.request('join', { rooms: ['cl-room'] }, 'joined');
  await Promise.all([a.helper.subscriptionsSettled(), b.helper.subscriptionsSettled()]);

  a.helper.send({ destination: 'cl-room', payload: { topic: 'room-msg', data: 1 } });
  a.helper.send({ destination: onB.id, payload: { topic: 'direct', data: 2 } });
  const emitter = new WebSocketEmitter({ redisConnection: connection() });
  await emitter.configure();
  await emitter.toUser({ userId: 'erin', event: 'to-user', data: 3 });
  await emitter.shutdown();
  const marker = crypto.randomUUID();
  a.helper.send({ payload: { topic: 'barrier', data: marker } });
  await onB.next('barrier', f => f.data === marker, 10_000);
  await onA.next('barrier', f => f.data === marker, 10_000);
  await onA.next('to-user', () => true, 10_000);
  await onB.next('to-user', () => true, 10_000);

  expect(onB.all('room-msg')).toHaveLength(1);
  expect(onB.all('direct')).toHaveLength(1);
  expect(onA.all('room-msg')).toHaveLength(0);
  expect(onA.all('to-user')).toHaveLength(1);
  expect(onB.all('to-user')).toHaveLength(1);
  await onA.close();
  await onB.close();
}, 20_000);
