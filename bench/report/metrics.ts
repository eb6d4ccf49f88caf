/** Every measure the report shows, in order, with its unit and which direction is better. */

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
}): IMetricDef[] => {
  const single = `single node, ${c.fanoutClients} clients`;
  const burst = `${c.burstCount}-message burst`;
  const paced = `${c.pacedRate} msg/s for ${c.pacedSeconds} s`;
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
    { id: 'cross_first_reached', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: 'first send right after the joins: members reached', unit: '%', better: 'higher' },
    { id: 'cross_join_lag', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: 'joins effective cross-node after (probe every ~50 ms)', unit: 'ms', better: 'lower' },
    { id: 'cross_burst_rate', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `${burst}: deliveries`, unit: 'deliveries/s', better: 'higher' },
    { id: 'cross_burst_p99', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `${burst}: latency p99`, unit: 'ms', better: 'lower' },
    { id: 'cross_paced_p50', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `paced ${paced}: latency p50`, unit: 'ms', better: 'lower' },
    { id: 'cross_paced_p99', group: `two nodes, ${c.crossClients} clients on B, sent via A`, label: `paced ${paced}: latency p99`, unit: 'ms', better: 'lower' },
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
    { id: 'enc_burst_rate', group: `encrypted (per-client AES-GCM), ${c.encClients} clients`, label: `${c.encMessages}-message burst: deliveries`, unit: 'deliveries/s', better: 'higher', chart: true },
  ];
};
