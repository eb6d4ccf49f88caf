/**
 * What sharded pub/sub on a Redis Cluster needs besides ioredis: the hash slot of a channel (one
 * SSUBSCRIBE may only name channels of one slot) and whether the server has it at all (Redis 7+).
 * Not exported from the package: `RedisClusterBroker` is the user of both.
 */

/** CRC16-CCITT (XMODEM) table: Redis Cluster's key hash. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The hash slot (0–16383) of a key or shard channel, as Redis computes it: CRC16 of the UTF-8
 * bytes, or of the first non-empty `{hash tag}` when there is one.
 */
export const clusterSlotOf = (key: string): number => {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(OPEN_BRACE);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE_BRACE, open + 1);
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc & 0x3fff;
};

/** Channels grouped by hash slot: one SSUBSCRIBE / SUNSUBSCRIBE may only name channels of one slot. */
export const groupBySlot = (channels: string[]): string[][] => {
  const groups = new Map<number, string[]>();
  for (const channel of channels) {
    const slot = clusterSlotOf(channel);
    const group = groups.get(slot);
    if (group) group.push(channel);
    else groups.set(slot, [channel]);
  }
  return [...groups.values()];
};

/**
 * The server version `INFO server` reports when it is older than Redis 7.0 (no sharded pub/sub),
 * otherwise undefined. Valkey reports a compatible `redis_version` too.
 */
export const versionWithoutShardedPubSub = (infoServer: string): string | undefined => {
  const version = /^redis_version:(\S+)/m.exec(infoServer)?.[1];
  if (version === undefined) return undefined;
  return Number(version.split('.')[0]) < 7 ? version : undefined;
};
