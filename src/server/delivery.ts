import type { Logger } from '@venizia/ignis-helpers';
import { WebSocketDefaults, type AnyObject, type IStreamPosition } from '../protocol/index.js';
import { type IBunServer, type IWebSocketClient, type IWebSocketDeliveryStats, type TWebSocketOutboundTransformer } from './types.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry } from './client-registry.js';
import { SlowConsumerPolicy, type ISlowConsumerOptions } from './slow-consumer.js';
import { ServerTelemetry } from './telemetry.js';
import { within } from '../timing/within.js';

/** Runs `task` over `items` with at most `limit` in flight. */
const runWithLimit = async <T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
};

/** Frame JSON of the wire envelope; serialised once per fan-out, never per recipient. */
const frameOf = (event: string, data: unknown, id?: string): string =>
  JSON.stringify(id === undefined ? { event, data } : { event, data, id });

/** A message of a room with history carries its room and position (wiki/recovery.md); other frames are unchanged. */
const roomFrameOf = (room: string, event: string, data: unknown, pos: IStreamPosition | undefined): string =>
  pos === undefined ? frameOf(event, data) : JSON.stringify({ event, data, room, pos });

/**
 * Local delivery. Unencrypted members of a room are reached with one Bun topic publish (one
 * serialisation, C++ fan-out); encrypted members are not on topics and go through the outbound
 * transformer one by one, at most `batchLimit` at a time and in order per client. `exclude`
 * cannot be expressed as a topic publish, so it iterates. A client that cannot keep up is
 * handled by the slow-consumer policy (slow-consumer.ts): every message it misses is counted.
 */
export class Delivery<MetadataType extends AnyObject = AnyObject> {
  readonly stats: IWebSocketDeliveryStats = {
    sent: 0,
    published: 0,
    dropped: 0,
    backpressured: 0,
    slowConsumerClosed: 0,
    transformFailed: 0,
    publishFailed: 0,
    publishDroppedBufferFull: 0,
    publishDroppedTimeout: 0,
    publishDroppedLost: 0,
    publishBuffered: 0,
    malformedInbound: 0,
    refusedInbound: 0,
    received: 0,
  };
  /** What operators see beyond `stats` (metrics.ts); kept here so every part that delivers can count. */
  readonly telemetry = new ServerTelemetry();
  private readonly logs: LogThrottle;
  /** Last pending encrypted send per client, so a client's messages never overtake each other. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly slow: SlowConsumerPolicy<MetadataType>;

  constructor(
    private readonly server: IBunServer,
    private readonly registry: ClientRegistry<MetadataType>,
    private readonly transformer: TWebSocketOutboundTransformer<unknown, MetadataType> | undefined,
    private readonly batchLimit: number,
    logger: Logger,
    slowConsumers: ISlowConsumerOptions,
  ) {
    this.logs = new LogThrottle(logger);
    this.slow = new SlowConsumerPolicy(slowConsumers, this.stats, this.logs, this.telemetry);
  }

  /** Sends a ready frame to one socket, recording backpressure; a refused frame goes to the slow-consumer policy. */
  sendFrame(client: IWebSocketClient<MetadataType>, frame: string): void {
    const result = client.socket.send(frame);
    if (result > 0) {
      this.stats.sent++;
    } else if (result === -1) {
      this.stats.sent++;
      this.stats.backpressured++;
      client.backpressured = true;
    } else {
      this.slow.refused(client);
    }
  }

  /** One client; `id` ties a reply or acknowledgement to the request it answers. */
  toClient(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): void {
    if (client.encrypted) {
      if (this.slow.enqueue(client)) void this.sendEncrypted(client, event, data, id);
      return;
    }
    this.sendFrame(client, frameOf(event, data, id));
  }

  /** One local client by id, if it is here and authenticated (cross-instance client messages). */
  toClientId(clientId: string, event: string, data: unknown): void {
    const client = this.registry.getAuthenticated(clientId);
    if (client) this.toClient(client, event, data);
  }

  toUser(userId: string, event: string, data: unknown): void {
    const sessions = this.registry.userSessions(userId);
    if (!sessions) return;
    this.toMembers(sessions, event, data, undefined);
  }

  /** `pos`: the message's position in the room's history (rooms with history), sent with it. */
  toRoom(room: string, event: string, data: unknown, exclude?: string[], pos?: IStreamPosition): void {
    const members = this.registry.rooms.get(room);
    if (!members) return;
    if (exclude && exclude.length > 0) {
      this.toMembers(members, event, data, new Set(exclude), pos && roomFrameOf(room, event, data, pos));
      return;
    }
    this.publishTopic(room, event, data, members, pos && roomFrameOf(room, event, data, pos));
  }

  toAll(event: string, data: unknown, exclude?: string[]): void {
    if (exclude && exclude.length > 0) {
      this.toMembers(this.registry.clients.keys(), event, data, new Set(exclude));
      return;
    }
    this.publishTopic(WebSocketDefaults.BROADCAST_TOPIC, event, data, this.registry.clients.keys());
  }

  /** Resolves when every encrypted send queued so far has finished, or after `maxWaitMs` (shutdown, tests). */
  async settle(maxWaitMs = 1_000): Promise<void> {
    if (this.chains.size === 0) return;
    await within(Promise.all(this.chains.values()), maxWaitMs, undefined);
  }

  private publishTopic(topic: string, event: string, data: unknown, members: Iterable<string>, frame?: string): void {
    // 0: Bun skipped at least one subscriber, past backpressureLimit (or there was none).
    const refused = this.server.publish(topic, frame ?? frameOf(event, data)) === 0;
    this.stats.published++;
    if (!refused && this.registry.encryptedCount === 0) return;
    const encrypted: IWebSocketClient<MetadataType>[] = [];
    for (const id of members) {
      const client = this.registry.getAuthenticated(id);
      if (!client) continue;
      if (client.encrypted) encrypted.push(client);
      else if (refused && this.slow.isPastLimit(client)) this.slow.refused(client);
    }
    if (encrypted.length > 0) this.sendEncryptedMany(encrypted, event, data);
  }

  private toMembers(ids: Iterable<string>, event: string, data: unknown, exclude: Set<string> | undefined, ready?: string): void {
    let frame = ready;
    const encrypted: IWebSocketClient<MetadataType>[] = [];
    for (const id of ids) {
      if (exclude?.has(id)) continue;
      const client = this.registry.getAuthenticated(id);
      if (!client) continue;
      if (client.encrypted) {
        encrypted.push(client);
        continue;
      }
      this.sendFrame(client, (frame ??= frameOf(event, data)));
    }
    if (encrypted.length > 0) this.sendEncryptedMany(encrypted, event, data);
  }

  private sendEncryptedMany(clients: IWebSocketClient<MetadataType>[], event: string, data: unknown): void {
    const queued = clients.filter(client => this.slow.enqueue(client));
    if (queued.length > 0) void runWithLimit(queued, this.batchLimit, client => this.sendEncrypted(client, event, data));
  }

  private sendEncrypted(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): Promise<void> {
    const previous = this.chains.get(client.id);
    const current = (previous ?? Promise.resolve()).then(() => this.transformAndSend(client, event, data, id));
    this.chains.set(client.id, current);
    void current.then(() => {
      if (this.chains.get(client.id) === current) this.chains.delete(client.id);
    });
    return current;
  }

  private async transformAndSend(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string) {
    try {
      // A client that left (or was closed as a slow consumer) costs no more transformer calls.
      if (!this.isCurrent(client)) {
        this.stats.dropped++;
        this.telemetry.dropped.client_gone++;
        return;
      }
      const transformed = this.transformer ? await this.transformer({ client, event, data, id }) : null;
      if (!this.isCurrent(client)) {
        this.stats.dropped++;
        this.telemetry.dropped.client_gone++;
        return;
      }
      this.sendFrame(client, transformed ? frameOf(transformed.event, transformed.data) : frameOf(event, data, id));
    } catch (error) {
      this.stats.transformFailed++;
      this.logs.error('transform-failed', `outbound transformer threw for client ${client.id}; message not sent: ${error}`);
    } finally {
      this.slow.dequeue(client.id);
    }
  }

  private isCurrent(client: IWebSocketClient<MetadataType>): boolean {
    return this.registry.clients.get(client.id) === client;
  }
}
