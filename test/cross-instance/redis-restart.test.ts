import { afterAll, expect, test } from 'bun:test';
import { TestRedis } from '../support/redis';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

const nodes: ITestNode[] = [];
let redis: TestRedis | undefined;
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await redis?.stop();
});

test('redis-server killed and restarted during traffic: local delivery never stops, cross-node resumes, nothing throws', async () => {
  const failures: unknown[] = [];
  const onFailure = (e: unknown) => failures.push(e);
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  try {
    redis = await TestRedis.start();
    const a = await startNode({ redisConnection: redis.helper() });
    const b = await startNode({ redisConnection: redis.helper() });
    nodes.push(a, b);
    const onA = await TestClient.connect(a.url);
    const onB = await TestClient.connect(b.url);
    await Promise.all(nodes.map(n => n.helper.subscriptionsSettled()));
    a.helper.send({ destination: 'ws-default', payload: { topic: 'before', data: 0 } });
    await onB.next('before');

    await redis.kill();
    // Traffic while Redis is gone: local clients are still served at once.
    for (let i = 0; i < 20; i++) {
      a.helper.send({ destination: 'ws-default', payload: { topic: 'during', data: i } });
      expect((await onA.next('during', f => f.data === i)).data).toBe(i);
    }
    const late = await TestClient.connect(b.url);
    await late.request('join', { rooms: ['after-outage'] }, 'joined');

    await redis.restart();
    // Cross-node delivery resumes on its own (bounded: 15 s); no app restart.
    const deadline = Date.now() + 15_000;
    let resumed = false;
    for (let attempt = 0; !resumed && Date.now() < deadline; attempt++) {
      a.helper.send({ destination: 'after-outage', payload: { topic: 'probe', data: attempt } });
      resumed = await late.next('probe', f => f.data === attempt, 500).then(
        () => true,
        () => false,
      );
    }
    expect(resumed).toBe(true);

    const marker = crypto.randomUUID();
    a.helper.send({ payload: { topic: 'after', data: marker } });
    await onB.next('after', f => f.data === marker);
    await onA.next('after', f => f.data === marker);
    expect(onA.all('after')).toHaveLength(1);
    expect(onB.all('after')).toHaveLength(1);
    expect(failures).toEqual([]);
    for (const c of [onA, onB, late]) await c.close();
  } finally {
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
  }
}, 30_000);
