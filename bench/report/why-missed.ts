/**
 * What the report says under a missed target: where the time or memory goes and what closing the
 * gap would take. One constant per explanation, so a new profile replaces exactly one text.
 * Figures here come from the commands they name (bench/profile, bun:jsc heapStats), measured
 * after the issue 13 changes, with the before figure where there was one.
 */

/** connect + authenticate rate and server CPU per connection, in memory. */
export const WHY_CONNECT =
  'Profile (`bun bench/profile/run.ts ours-memory`, 4 × 2 000 connect + authenticate + close): about half of the server\'s samples are ' +
  "Bun's native `upgrade` (raw: about 60 %, the same work); the rest is the bookkeeping the contract asks for per connection: the client " +
  'record, the clients / users indexes, the own-id room and the two default rooms (`ws-default`, `ws-notification`: two joins and leaves ' +
  'and three Bun topic subscriptions with the broadcast topic, which raw does not make), the auth flow and its duration histogram. ' +
  '`bun bench/profile/compare.ts` (5 interleaved runs, /proc CPU including the kernel), two sessions: 1.27× and 1.40× raw ' +
  '(0.076 and 0.083 ms against 0.060 and 0.059); the same command on the src before issue 13: 1.65× and 1.57×. The 2 000-client rows measure under 0.2 s of connecting and move by ±15 % ' +
  'between runs; compare their ranges with the gap. Closer would take dropping contract work (default rooms cost about 0.2 KiB and ' +
  'three topic operations per connection; `defaultRooms: []` turns them off).';

/** connect + authenticate rate and server CPU per connection, on Redis. */
export const WHY_CONNECT_REDIS =
  'On Redis a connection also subscribes its two channels (`ws:client:<id>`, `ws:user:<id>`) and unsubscribes them when it closes. ' +
  'SUBSCRIBEs of connections arriving together go out as one command (0.02 commands per connection), but Redis answers each channel ' +
  'separately and ioredis handles each answer (reply parser, its own subscription set), and a client is admitted only once Redis ' +
  'acknowledged its channels, so `connected` is written after a round trip, outside Bun\'s message callback (one socket write each: ' +
  '`send` in the profile, `bun bench/profile/run.ts ours-redis`). `bun bench/profile/compare.ts`, two sessions: 1.90× and 2.11× raw ' +
  '(before issue 13: 2.17× and 2.19×). Closing the rest would take fewer channels per connection (one per node for client-addressed messages) — a ' +
  "change of the Redis channel contract that emitters and upstream nodes rely on — or pattern subscriptions, upstream's way: 0 commands " +
  'per connection, but every node receives every message and its CPU per connection is 4-5× raw.';

/** Server RSS per connection at 10 000 clients, in memory. */
export const WHY_MEMORY =
  '`bun bench/profile/heap.ts` (bun:jsc heapStats after a full GC, read 15 s after connecting: `HEAP_SETTLE_MS=15000`) with 10 000 / ' +
  "19 500 clients held: JS heap per connection 667 B / 1 176 B against raw's 201 B / 200 B (before the changes of issue 13: 1 011 B at 10 000, same command on the src of 393bafc). " +
  'Read right after connecting it is about 300 B more for a few seconds: JSC code blocks and strings the connect burst left, not ' +
  'per-connection state. What stays per client is mostly hash-table entries: the `clients` and ' +
  "`users` maps, both default rooms' member Sets and the client's own `rooms` Set (own id + 2 default rooms); JSC spends about 100-130 B " +
  'per Set or Map entry and grows tables in powers of two, so the cost per connection rises with the count. Plus three native Bun topic ' +
  'subscriptions. With `defaultRooms: []` (`HEAP_DEFAULT_ROOMS=none`): 907 B and 2.3 KiB RSS per connection at 19 500 (default: 2.7 KiB; ' +
  'raw 1.6 KiB). Closer would ' +
  'take a membership representation leaner than `Set<string>` (per-room arrays with swap-remove indices on the client record) — the ' +
  "contract's `client.rooms: Set<string>` rules it out for the client's side; a Set subclass kept in an array would save about 130 B. " +
  'RSS after a connect burst also carries the heap the burst grew (±20 % between runs).';

/** Server RSS per connection at 10 000 clients, on Redis. */
export const WHY_MEMORY_REDIS =
  'On Redis each connection adds its two channel names (about 70 B each) and their entries in our interest map and in ioredis\' ' +
  'subscription set: about 600 B more JS heap per connection than in memory (1 259 B against 667 B at 10 000 clients; before the ' +
  'changes of issue 13: 1 864 B). The entries are what lets a node receive only the messages of clients it hosts.';

/** Server CPU per 1,000 deliveries. */
export const WHY_DELIVERY_CPU =
  'Per room message the server serialises once and calls `server.publish()`, like raw; the difference is the bench route through Hono ' +
  '(with its request log) and the room lookup. The runs\' ranges usually overlap.';

/** Paced latency p99 on one node. */
export const WHY_PACED =
  'A p99 over 500 messages to 2 000 clients is decided by the few slowest messages: two load workers drain 1 000 sockets each per ' +
  'message while sharing the 2 cores with the server; compare the runs\' ranges with the gap.';

/** Cross-node latency against raw local delivery and against upstream. */
export const WHY_CROSS_LATENCY =
  '`bun bench/profile/hop.ts` (one client on B, 300 messages at 100/s through A, 3 interleaved runs): send → client 0.739 ms ' +
  '(0.721–0.922), upstream 0.688 (0.666–0.798); B\'s part (Redis → client) 0.135 ms (0.109–0.182), upstream 0.140 (0.119–0.172). ' +
  "Before the Redis envelope was checked by hand, B's part was 0.187 ms (0.180–0.220): at a few messages a second zod's parse ran " +
  'cold, about 90 µs a message. The rest of the distance to raw local delivery is the Redis round trip and, with 2 000 clients, two ' +
  'servers, Redis, two load workers and the coordinator on 2 cores: a cross-node burst queues on the receiving node behind its ' +
  "fan-out. Upstream sits at the same place (each within the other's spread).";

/** Redis commands per new connection. */
export const WHY_REDIS_COMMANDS =
  'The row counts every command Redis served from before the connects until it was quiet after the closes; the SUBSCRIBE + SSUBSCRIBE row ' +
  'is the subscribe share and latest.json (`details["connect-redis/<target>"]`) has the count per command. On a Redis Cluster one ' +
  'SSUBSCRIBE can only name channels of one hash slot, so there a connection costs two (its client and user channels).';

/** Redis publishes per message sent. */
export const WHY_PUBLISH =
  'More than one publish per send means a message goes out on more than one channel; latest.json (`details["cross/<target>"].redisCalls`) ' +
  'has the count per command.';

/** RSS per connection with 19,500 clients held. */
export const WHY_CAPACITY_MEMORY =
  'The per-client hash-table entries of the in-memory RSS row above, at 19 500 clients where JSC\'s tables are past another doubling: ' +
  '1 176 B of JS heap per connection (raw 200 B), 2.7 KiB RSS (raw 1.6) 15 s after connecting (`bun bench/profile/heap.ts 19500`); ' +
  '2.3 KiB with `defaultRooms: []`.';

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
  'With idle features a send asks the history policy about its room (one function call) and presence hooks skip rooms they do not cover; ' +
  'nothing runs per delivery. Five runs of each (`BENCH_SCENARIOS=features`): CPU per 1 000 deliveries 0.537 ms off, 0.543 idle (+1 %). ' +
  'Burst rates and latencies swing ±30 % between runs on this machine (load workers and server share 2 cores), so a single ' +
  "report's burst rows can land either way; compare the runs' ranges.";

/** A node hosting no member receiving a room's messages. */
export const WHY_SPREAD = 'Interest-based subscriptions should make this exactly 0; anything else is a bug in src/broker.';
