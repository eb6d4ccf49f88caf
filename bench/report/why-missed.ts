/**
 * What the report says under a missed target: where the time or memory goes and what closing the
 * gap would take. One constant per explanation, so a new profile replaces exactly one text.
 */

const PREVIOUS = 'From the previous profile (before the issue 13 changes; not re-profiled since): ';
const NOT_PROFILED = 'Not profiled yet. ';

/** connect + authenticate rate and server CPU per connection. */
export const WHY_CONNECT =
  PREVIOUS +
  '`bun --cpu-prof bench/targets/ignis.ts ours`, 8 000 connect+auth+close: about three quarters of server CPU is ' +
  "Bun's own HTTP/upgrade handling (native `upgrade` and the self time of the fetch closure in src/component/bun-fetch.ts, which " +
  "includes request parsing and GC in the larger Ignis heap); our JS per connection (registry add/remove, the auth flow's awaits, " +
  'the rate-limit bucket, the zod envelope check) is about 10 %. Closing the rest would take fewer allocations per connection ' +
  '(one auth timer instead of two, fewer promise hops in the auth flow).';

/** Server RSS per connection at 10 000 clients. */
export const WHY_MEMORY =
  PREVIOUS +
  'about 1.4 KB of JS heap per client stays: the client record, its rooms Set, socket.data, the rate-limit bucket and the user-index Set ' +
  '(measured with bun:jsc heapStats). Folding the bucket and single-session user entries into the client record would save roughly 0.4 KB.';

/** Server CPU per 1,000 deliveries. */
export const WHY_DELIVERY_CPU =
  PREVIOUS + 'per message the server serialises once and calls `server.publish()`; the extra is the bench route and one `encryptedCount` check.';

/** Paced latency p99 on one node. */
export const WHY_PACED =
  NOT_PROFILED + "Latency includes the load generator draining every socket in one process; compare the spread (min–max) of the runs with the gap.";

/** Cross-node latency against raw local delivery and against upstream. */
export const WHY_CROSS_LATENCY =
  NOT_PROFILED +
  'Cross-node adds one round trip through Redis per message and, on two shared cores, Redis, two servers and the load generator compete; ' +
  'issue 13 names JSON work done twice per cross-node message as a candidate.';

/** Redis commands per new connection. */
export const WHY_REDIS_COMMANDS =
  NOT_PROFILED +
  'The row counts every command Redis served from before the connects until it was quiet after the closes; the SUBSCRIBE + SSUBSCRIBE row ' +
  'is the subscribe share and latest.json (`details["connect-redis/<target>"]`) has the count per command. Meeting it takes coalescing the ' +
  '(UN)SUBSCRIBEs of connections that arrive in the same tick into one command.';

/** Redis publishes per message sent. */
export const WHY_PUBLISH =
  NOT_PROFILED +
  'More than one publish per send means a message goes out on more than one channel (issue 13 names the double publish for remote client ids); ' +
  'latest.json (`details["cross/<target>"].redisCalls`) has the count per command.';

/** RSS per connection with 19,500 clients held. */
export const WHY_CAPACITY_MEMORY = NOT_PROFILED + 'See the RSS per connection at 10 000 above for the per-client objects that stay.';

/** Clients closed during the capacity hold. */
export const WHY_CAPACITY_DROPPED =
  'Clients were closed during the hold, so the capacity figures of this run do not describe every client held; the Notes section says how many, ' +
  'latest.json (`details["capacity/<target>"]`) has the hold\'s figures.';

/** SPUBLISH per send on a Redis Cluster. */
export const WHY_SHARD_SPUBLISH = 'On a Cluster connection every send should be exactly one SPUBLISH, to the shard of the room channel.';

/** PUBLISH on a Redis Cluster. */
export const WHY_SHARD_PUBLISH = 'A PUBLISH on a Cluster is forwarded to every shard; with sharded pub/sub no message should use it.';

/** Messages per shard shown. */
export const WHY_SHARD_ROWS = 'The Redis Cluster scenario did not record messages per shard.';

/** An idle feature (history, presence) costing more than 5 % on a fan-out row. */
export const WHY_FEATURE_COST =
  NOT_PROFILED +
  'The two variants differ only in configuration: history and presence set for `other:*` rooms the bench never joins (each send asks the ' +
  'history policy for its room). A `bun --cpu-prof` of both variants would show where the difference goes.';

/** A node hosting no member receiving a room's messages. */
export const WHY_SPREAD = 'Interest-based subscriptions should make this exactly 0; anything else is a bug in src/broker.';
