/**
 * The Lua scripts of the Redis history (wiki/recovery.md). A channel's history is a stream
 * `{<channel>}:history` and its epoch a string `{<channel>}:epoch`: the channel is their hash tag,
 * so on a Cluster both keys and the channel's SPUBLISH live in one slot. Entry ids are offsets.
 */
import { randomUUID } from 'node:crypto';
import { compareOffsets, type IRedisSocketMessage } from '../protocol/index.js';
import { HISTORY_START_OFFSET, type IHistoryEntry, type IHistoryRead } from './history.js';

/** The two keys of a channel's history. */
export const historyKeys = (channel: string): [stream: string, epoch: string] => [`{${channel}}:history`, `{${channel}}:epoch`];

/** A new epoch: random, so a flushed Redis never hands out one a client already holds. */
export const newEpoch = (): string => randomUUID().replace(/-/g, '').slice(0, 16);

/**
 * Shared start of both scripts: the channel's epoch, created when missing (a history without an
 * epoch belongs to a lost epoch and is dropped), then entries past `ttl` ms trimmed.
 */
const PRELUDE = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], epoch)
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', now - ttl))
  redis.call('PEXPIRE', KEYS[1], ttl * 2 + 60000)
  redis.call('PEXPIRE', KEYS[2], ttl * 2 + 60000)
end
`;

/**
 * Appends and publishes atomically. KEYS: stream, epoch. ARGV: new epoch, ttl ms, max length,
 * envelope JSON (without `pos`), channel, publish command (PUBLISH or SPUBLISH). The published
 * envelope is the stored one with `"pos":{offset,epoch}` appended. Returns { offset, epoch }.
 */
export const APPEND_SCRIPT = `${PRELUDE}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[4])
local raw = string.sub(ARGV[4], 1, -2) .. ',"pos":{"offset":"' .. id .. '","epoch":"' .. epoch .. '"}}'
redis.call(ARGV[6], ARGV[5], raw)
return {id, epoch}
`;

/**
 * Reads. KEYS: stream, epoch. ARGV: new epoch, ttl ms, after offset ('' for the newest), count
 * (0: all). Returns { epoch, top, trimmed, entries as [id, ['m', json]]… }.
 */
export const READ_SCRIPT = `${PRELUDE}
local top = '0-0'
local trimmed = '0-0'
local added, len, first = 0, 0, '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then top = info[i + 1] end
    if info[i] == 'max-deleted-entry-id' then trimmed = info[i + 1] end
    if info[i] == 'entries-added' then added = info[i + 1] end
    if info[i] == 'length' then len = info[i + 1] end
    if info[i] == 'recorded-first-entry-id' then first = info[i + 1] end
  end
  -- Trimming (MAXLEN / MINID) does not move max-deleted-entry-id: when entries were removed,
  -- everything below the first one kept counts as trimmed.
  if added > len and first ~= '0-0' then
    local ms, seq = string.match(first, '(%d+)-(%d+)')
    if tonumber(seq) > 0 then trimmed = ms .. '-' .. string.format('%d', tonumber(seq) - 1)
    else trimmed = string.format('%d', tonumber(ms) - 1) .. '-999999999' end
  end
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if #last == 0 then trimmed = top end
  if #last > 0 then top = last[1][1] end
end
local count = tonumber(ARGV[4])
local entries
if ARGV[3] == '' then
  if count > 0 then entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', count)
  else entries = redis.call('XREVRANGE', KEYS[1], '+', '-') end
else
  if count > 0 then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[3], '+', 'COUNT', count)
  else entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[3], '+') end
end
return {epoch, top, trimmed, entries, ARGV[3] == '' and 1 or 0}
`;

type TRawEntry = [string, string[]];

const isRawEntry = (value: unknown): value is TRawEntry =>
  Array.isArray(value) && typeof value[0] === 'string' && Array.isArray(value[1]) && typeof value[1][1] === 'string';

/** Decodes the read script's reply; entries that do not parse are skipped (only this package writes them). */
export const decodeRead = (reply: unknown, decode: (raw: string) => IRedisSocketMessage | undefined): IHistoryRead => {
  const [epoch, top, trimmed, rawEntries, reversed] = Array.isArray(reply) ? reply : [];
  const entries: IHistoryEntry[] = [];
  const list: unknown[] = Array.isArray(rawEntries) ? rawEntries : [];
  for (const raw of reversed === 1 ? [...list].reverse() : list) {
    if (!isRawEntry(raw)) continue;
    const message = decode(raw[1][1]!);
    if (message) entries.push({ pos: { offset: raw[0], epoch: String(epoch) }, message });
  }
  // A stream emptied by trimming has a last id it no longer holds: nothing above `trimmed` is kept.
  const topOffset = typeof top === 'string' ? top : HISTORY_START_OFFSET;
  const trimmedOffset = typeof trimmed === 'string' ? trimmed : HISTORY_START_OFFSET;
  return { epoch: String(epoch), top: compareOffsets(topOffset, trimmedOffset) < 0 ? trimmedOffset : topOffset, trimmed: trimmedOffset, entries };
};
