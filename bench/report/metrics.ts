/** Every measure the report shows, in order, with its unit and which direction is better. */
import { evenSlotRanges } from '../lib/redis-cluster';

/** Static description of one measure. */
export interface IMetricDef {
  id: string;
  group: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Shown in the chart (relative to raw). */
  chart?: boolean;
}

/** Builds the catalogue; labels carry the sizes of this run. */
export const metricCatalogue = (c: {
  fanoutClients: number;
  burstCount: number;
  pacedRate: number;
  pacedSeconds: number;
  bigConnect: number;
  crossClients: number;
  spreadClients: number;
  spreadMessages: number;
  encClients: number;
  encMessages: number;
  capacityClients: number;
  capacityHoldSeconds: number;
  shardClients: number;
  shardRooms: number;
  shardMessages: number;
}): IMetricDef[] => {
  const single = `single node, ${c.fanoutClients} clients`;
  const burst = `${c.burstCount}-message burst`;
  const paced = `${c.pacedRate} msg/s for ${c.pacedSeconds} s`;
  const capacity = `capacity: ${c.capacityClients} authenticated heartbeating clients held ${c.capacityHoldSeconds} s on one node`;
  const shards = `three-master Redis Cluster (ours-redis only, sharded pub/sub): two nodes, ${c.shardClients} clients on B each in all ${c.shardRooms} rooms, ${c.shardMessages} sends via A round-robin`;
  const masters = evenSlotRanges().map((range, i) => `master ${i + 1} (slots ${range.from}–${range.to})`);
  const features = `feature cost: features off vs idle (history and presence only for rooms not in use), single node, ${c.fanoutClients} clients, via send()`;
  return [
    { id: 'connect_rate', group: single, label: 'connect + authenticate', unit: 'conn/s', better: 'higher', chart: true },
    { id: 'kib_per_conn', group: single, label: 'server RSS per connection', unit: 'KiB', better: 'lower', chart: true },
    { id: 'cpu_per_conn', group: single, label: 'server CPU per connection', unit: 'ms', better: 'lower' },
    { id: 'join_ms', group: single, label: 'all clients join a room', unit: 'ms', better: 'lower' },
    { id: 'burst_rate', group: single, label: `${burst}: deliveries`, unit: 'deliveries/s', better: 'higher', chart: true },
    { id: 'burst_p50', group: single, label: `${burst}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'burst_p99', group: single, label: `${burst}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'burst_cpu_1k', group: single, label: `${burst}: server CPU per 1000 deliveries`, unit: 'ms', better: 'lower', chart: true },
    { id: 'paced_p50', group: single, label: `paced ${paced}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'paced_p99', group: single, label: `paced ${paced}: latency p99`, unit: 'ms', better: 'lower', chart: true },
    { id: 'big_connect_rate', group: `single node, ${c.bigConnect} clients`, label: 'connect + authenticate', unit: 'conn/s', better: 'higher', chart: true },
    { id: 'big_kib_per_conn', group: `single node, ${c.bigConnect} clients`, label: 'server RSS per connection', unit: 'KiB', better: 'lower', chart: true },
    { id: 'big_cpu_per_conn', group: `single node, ${c.bigConnect} clients`, label: 'server CPU per connection', unit: 'ms', better: 'lower' },
    { id: 'redis_cmds_per_conn', group: `single node, ${c.bigConnect} clients`, label: 'Redis commands per connection (connect + close, INFO commandstats)', unit: 'cmds', better: 'lower' },
    { id: 'redis_subscribes_per_conn', group: `single node, ${c.bigConnect} clients`, label: 'Redis SUBSCRIBE + SSUBSCRIBE per connection', unit: 'cmds', better: 'lower' },
    { id: 'cross_first_reached', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: 'first send right after the joins: members reached', unit: '%', better: 'higher' },
    { id: 'cross_join_lag', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: 'joins effective cross-node after (probe every ~50 ms)', unit: 'ms', better: 'lower' },
    { id: 'cross_burst_rate', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `${burst}: deliveries`, unit: 'deliveries/s', better: 'higher' },
    { id: 'cross_burst_p50', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `${burst}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'cross_burst_p99', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `${burst}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'cross_paced_p50', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `paced ${paced}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'cross_paced_p99', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `paced ${paced}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'redis_publish_per_send', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: 'Redis PUBLISH + SPUBLISH per message sent (INFO commandstats)', unit: 'cmds', better: 'lower' },
    { id: 'spread_a', group: `three nodes, room only on C (${c.spreadClients} clients), ${c.spreadMessages} sends via A`, label: 'Redis messages received by A per send', unit: 'msgs', better: 'lower' },
    { id: 'spread_b', group: `three nodes, room only on C (${c.spreadClients} clients), ${c.spreadMessages} sends via A`, label: 'Redis messages received by B per send', unit: 'msgs', better: 'lower' },
    { id: 'spread_c', group: `three nodes, room only on C (${c.spreadClients} clients), ${c.spreadMessages} sends via A`, label: 'Redis messages received by C per send', unit: 'msgs', better: 'lower' },
    { id: 'spread_delivered', group: `three nodes, room only on C (${c.spreadClients} clients), ${c.spreadMessages} sends via A`, label: 'deliveries received / expected', unit: '%', better: 'higher' },
    { id: 'state_recover_ms', group: `recovery: ${c.fanoutClients} clients of a stopped node re-join via another at once, one room with history, 100 missed`, label: 'until every client recovered', unit: 'ms', better: 'lower' },
    { id: 'state_recover_stream_reads', group: `recovery: ${c.fanoutClients} clients of a stopped node re-join via another at once, one room with history, 100 missed`, label: 'Redis stream reads (XRANGE/XREVRANGE/XREAD) per recovered client', unit: 'cmds', better: 'lower' },
    { id: 'state_recover_commands', group: `recovery: ${c.fanoutClients} clients of a stopped node re-join via another at once, one room with history, 100 missed`, label: 'Redis commands (INFO commandstats) per recovered client', unit: 'cmds', better: 'lower' },
    { id: 'state_hist_off_rate', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history off: deliveries', unit: 'deliveries/s', better: 'higher' },
    { id: 'state_hist_on_rate', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history on: deliveries', unit: 'deliveries/s', better: 'higher' },
    { id: 'state_hist_off_cpu_1k', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history off: server CPU per 1000 deliveries', unit: 'ms', better: 'lower' },
    { id: 'state_hist_on_cpu_1k', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history on: server CPU per 1000 deliveries', unit: 'ms', better: 'lower' },
    { id: 'state_hist_off_p99', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history off: latency p99', unit: 'ms', better: 'lower' },
    { id: 'state_hist_on_p99', group: `history off vs on, single node, ${c.fanoutClients} clients, ${burst} via send()`, label: 'history on: latency p99', unit: 'ms', better: 'lower' },
    { id: 'state_presence_off_kib', group: `presence off vs on, ${c.fanoutClients} clients joining one room (connect + join)`, label: 'presence off: server RSS per connection', unit: 'KiB', better: 'lower' },
    { id: 'state_presence_on_kib', group: `presence off vs on, ${c.fanoutClients} clients joining one room (connect + join)`, label: 'presence on: server RSS per connection', unit: 'KiB', better: 'lower' },
    { id: 'state_presence_off_cpu', group: `presence off vs on, ${c.fanoutClients} clients joining one room (connect + join)`, label: 'presence off: server CPU per connection', unit: 'ms', better: 'lower' },
    { id: 'state_presence_on_cpu', group: `presence off vs on, ${c.fanoutClients} clients joining one room (connect + join)`, label: 'presence on: server CPU per connection', unit: 'ms', better: 'lower' },
    { id: 'feat_off_rate', group: features, label: `features off: ${burst}: deliveries`, unit: 'deliveries/s', better: 'higher' },
    { id: 'feat_idle_rate', group: features, label: `features idle: ${burst}: deliveries`, unit: 'deliveries/s', better: 'higher' },
    { id: 'feat_off_cpu_1k', group: features, label: `features off: ${burst}: server CPU per 1000 deliveries`, unit: 'ms', better: 'lower' },
    { id: 'feat_idle_cpu_1k', group: features, label: `features idle: ${burst}: server CPU per 1000 deliveries`, unit: 'ms', better: 'lower' },
    { id: 'feat_off_p50', group: features, label: `features off: ${burst}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'feat_idle_p50', group: features, label: `features idle: ${burst}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'feat_off_p99', group: features, label: `features off: ${burst}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'feat_idle_p99', group: features, label: `features idle: ${burst}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'feat_off_paced_p99', group: features, label: `features off: paced ${paced}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'feat_idle_paced_p99', group: features, label: `features idle: paced ${paced}: latency p99`, unit: 'ms', better: 'lower' },
    ...masters.map((master, i): IMetricDef => ({ id: `shard_spublish_${i + 1}`, group: shards, label: `${master}: SPUBLISH per send`, unit: 'msgs', better: 'lower' })),
    { id: 'shard_spublish_total', group: shards, label: 'SPUBLISH per send, all masters (one publish per send: 1.00)', unit: 'msgs', better: 'lower' },
    { id: 'shard_publish_total', group: shards, label: 'classic PUBLISH per send, all masters (0.00 on a Cluster)', unit: 'msgs', better: 'lower' },
    ...masters.map((master, i): IMetricDef => ({ id: `shard_rooms_${i + 1}`, group: shards, label: `${master}: rooms whose channel it owns`, unit: 'rooms', better: 'lower' })),
    { id: 'shard_delivered', group: shards, label: 'deliveries received / expected', unit: '%', better: 'higher' },
    { id: 'enc_burst_rate', group: `encrypted (per-client AES-GCM), ${c.encClients} clients`, label: `${c.encMessages}-message burst: deliveries`, unit: 'deliveries/s', better: 'higher', chart: true },
    { id: 'cap_connect_rate', group: capacity, label: 'connect + authenticate', unit: 'conn/s', better: 'higher' },
    { id: 'cap_kib_per_conn', group: capacity, label: 'server RSS per connection, all connected (full GC)', unit: 'KiB', better: 'lower', chart: true },
    { id: 'cap_kib_per_conn_held', group: capacity, label: 'server RSS per connection at the end of the hold (full GC)', unit: 'KiB', better: 'lower' },
    { id: 'cap_idle_cpu_1k', group: capacity, label: 'server CPU during the hold, per 1,000 clients', unit: 'ms per s', better: 'lower' },
    { id: 'cap_dropped', group: capacity, label: 'clients closed during the hold', unit: 'clients', better: 'lower' },
  ];
};
