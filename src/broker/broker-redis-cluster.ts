import { getError } from '@venizia/ignis-helpers';
import { RedisBroker } from './broker-redis.js';
import { connectClient, duplicateForPubSub, isCluster, type TRedisClient } from './redis-connection.js';
import { groupBySlot, versionWithoutShardedPubSub } from './sharded-pubsub.js';

/** How long `start()` waits for the per-master subscriber connections before going on without them. */
const SUBSCRIBERS_READY_WAIT_MS = 2_000;

/**
 * Redis Cluster broker: the same channels, envelope, interest tracking and publish buffer as
 * `RedisBroker`, over sharded pub/sub (Redis 7+). A classic PUBLISH on a Cluster is copied to
 * every node over the cluster bus, so every master does the work of every message; SPUBLISH is
 * routed to the master that owns the channel's hash slot and SSUBSCRIBE listens there (ioredis
 * `shardedSubscribers`: one subscriber connection per master), so a channel's messages touch only
 * its shard. Consequence for a mixed fleet: a node or emitter that publishes with classic PUBLISH
 * on the same Cluster (the upstream helper, an older version of this package) does not reach these
 * nodes, nor they it (wiki/scaling.md). A change set becomes one SSUBSCRIBE and one SUNSUBSCRIBE per
 * hash slot (Redis refuses one that spans slots), all sent at once, each to its shard.
 */
export class RedisClusterBroker extends RedisBroker {
  override readonly kind: string = 'redis-cluster';
  protected override readonly messageEvent: string = 'smessage';

  protected override openSubscriber(): TRedisClient {
    return duplicateForPubSub(this.redisConnection, { sharded: true });
  }

  /**
   * Ready, and its per-master subscriber connections up: a SSUBSCRIBE sent before they are would
   * be sent twice (once queued, once when ioredis resubscribes the new connections).
   */
  protected override async connectSubscriber(sub: TRedisClient): Promise<void> {
    if (!isCluster(sub)) return connectClient(sub);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscribersReady = new Promise<void>(resolve => {
      sub.once('subscribersReady', () => resolve());
      timer = setTimeout(resolve, SUBSCRIBERS_READY_WAIT_MS);
    });
    try {
      await connectClient(sub);
      await subscribersReady;
    } finally {
      clearTimeout(timer);
    }
  }

  protected override async checkServer(pub: TRedisClient): Promise<void> {
    // A server that refuses INFO (an ACL without it) is given the benefit of the doubt.
    const old = versionWithoutShardedPubSub(await pub.info('server').catch(() => ''));
    if (old === undefined) return;
    throw getError({
      message: `[${this.constructor.name}] the Redis Cluster runs Redis ${old}; WebSocket pub/sub on a Cluster uses sharded pub/sub (SPUBLISH / SSUBSCRIBE), which needs Redis 7.0 or newer. Upgrade the cluster, or give the nodes a single (non-cluster) Redis`,
    });
  }

  protected override publishOn(pub: TRedisClient, channel: string, raw: string): Promise<unknown> {
    return pub.spublish(channel, raw);
  }

  protected override async applyInterest(subscribe: string[], unsubscribe: string[]): Promise<void> {
    const sub = this.sub;
    if (!sub) return;
    await Promise.all([
      ...groupBySlot(subscribe).map(group =>
        sub.ssubscribe(...group).catch(error => this.logs.warn('redis-subscribe', `ssubscribe failed: ${error}`)),
      ),
      ...groupBySlot(unsubscribe).map(group =>
        sub.sunsubscribe(...group).catch(error => this.logs.warn('redis-unsubscribe', `sunsubscribe failed: ${error}`)),
      ),
    ]);
  }
}
