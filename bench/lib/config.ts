/**
 * Benchmark parameters in one place. Every value can be overridden by an environment variable
 * (`BENCH_<NAME>`), and `BENCH_QUICK=1` shrinks everything for a smoke run.
 */

/** Sizes, counts and limits the harness runs with; printed into the report. */
export interface IBenchConfig {
  /** Runs of every measure; the report shows the median with min–max. */
  repeats: number;
  /** Runs of the feature-cost scenario: its off vs idle differences are a few per cent, inside one burst's run-to-run spread. */
  featureRepeats: number;
  /** Clients in the single-node fan-out scenario (also the small connect measure). */
  fanoutClients: number;
  /** Messages in one room burst. */
  burstCount: number;
  /** Messages per second of the paced stream. */
  pacedRate: number;
  /** Seconds the paced stream lasts. */
  pacedSeconds: number;
  /** Clients in the large connect measure (capped by the file-descriptor limit). */
  bigConnect: number;
  /** Clients on node B in the cross-node scenario. */
  crossClients: number;
  /** Clients on the one hosting node in the three-node scenario. */
  spreadClients: number;
  /** Messages sent through node A in the three-node scenario. */
  spreadMessages: number;
  /** Clients on node B in the Redis Cluster scenario (`cluster`); each joins all `shardRooms` rooms. */
  shardClients: number;
  /** Rooms in the Redis Cluster scenario, chosen so their channels land on every master. */
  shardRooms: number;
  /** Sends through node A in the Redis Cluster scenario, round-robin over the rooms. */
  shardMessages: number;
  /** Clients in the encrypted fan-out scenario. */
  encClients: number;
  /** Messages in the encrypted burst. */
  encMessages: number;
  /** Handshakes (open + authenticate) in flight at once while connecting. */
  connectWindow: number;
  /** Worker processes a load generator spreads its clients over (1: one process holds them all). */
  loadProcs: number;
  /** Authenticated, heartbeating clients in the capacity scenario (capped by the file-descriptor limit). */
  capacityClients: number;
  /** Seconds the capacity scenario holds its clients idle (the external harness held 95). */
  capacityHoldSeconds: number;
  /** Wall-clock budget in seconds; scenarios that would start after it are skipped. */
  budgetSeconds: number;
  /** Upper bound in seconds for any single wait inside a load process. */
  stepTimeoutSeconds: number;
  /** Longest wait in seconds for one client's `connected`. */
  handshakeTimeoutSeconds: number;
  /** A run during which other processes used more cores than this (on average) is repeated. */
  foreignCoresLimit: number;
  /** How often a disturbed run may be repeated (only in the first half of the budget). */
  disturbedRetries: number;
}

const num = (name: string, fallback: number): number => {
  const raw = process.env[`BENCH_${name}`];
  const parsed = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
};

/** The configuration for this run, from defaults, `BENCH_QUICK` and `BENCH_*` overrides. */
export const loadConfig = (): IBenchConfig => {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    repeats: num('REPEATS', quick ? 1 : 3),
    featureRepeats: num('FEATURE_REPEATS', quick ? 1 : 5),
    fanoutClients: num('FANOUT_CLIENTS', quick ? 300 : 2000),
    burstCount: num('BURST_COUNT', quick ? 50 : 200),
    pacedRate: num('PACED_RATE', 50),
    // 10 s: a p99 over 3 s (150 messages) was decided by one or two late messages and swung ±40 % between runs.
    pacedSeconds: num('PACED_SECONDS', quick ? 1 : 10),
    bigConnect: num('BIG_CONNECT', quick ? 1000 : 10000),
    crossClients: num('CROSS_CLIENTS', quick ? 300 : 2000),
    spreadClients: num('SPREAD_CLIENTS', quick ? 50 : 200),
    spreadMessages: num('SPREAD_MESSAGES', quick ? 50 : 200),
    shardClients: num('SHARD_CLIENTS', quick ? 120 : 600),
    shardRooms: num('SHARD_ROOMS', 12),
    shardMessages: num('SHARD_MESSAGES', quick ? 60 : 300),
    encClients: num('ENC_CLIENTS', quick ? 100 : 1000),
    encMessages: num('ENC_MESSAGES', quick ? 5 : 20),
    connectWindow: num('CONNECT_WINDOW', 256),
    loadProcs: num('LOAD_PROCS', 2),
    capacityClients: num('CAPACITY_CLIENTS', quick ? 2000 : 19500),
    capacityHoldSeconds: num('CAPACITY_HOLD_SECONDS', quick ? 5 : 30),
    budgetSeconds: num('BUDGET_SECONDS', 900),
    stepTimeoutSeconds: num('STEP_TIMEOUT_SECONDS', 30),
    handshakeTimeoutSeconds: num('HANDSHAKE_TIMEOUT_SECONDS', 10),
    foreignCoresLimit: num('FOREIGN_CORES_LIMIT', 0.3),
    disturbedRetries: num('DISTURBED_RETRIES', 2),
  };
};
