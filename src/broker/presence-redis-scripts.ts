/**
 * The Lua scripts of the Redis presence store (presence-redis.ts), one atomic step each. Every
 * script touches the keys of one hash tag only (a room, a user, or the node registry), so each
 * runs on one Cluster slot; the keys a script builds itself (a dead node's members in a room)
 * share the tag of the prefix it is given. Times come from Redis `TIME`, so the clocks of the
 * nodes never matter. Numbers are written with `%d`: Lua would print large ones in exponent form.
 */
import { createHash } from 'node:crypto';
import type { TRedisClient } from './redis-connection.js';

/** A script run by its SHA, loaded again when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH). */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Loads the script (SCRIPT LOAD); commands written after it on the connection find it. Failures are left to `run()`'s fallback. */
  load(client: TRedisClient): void {
    client.script('LOAD', this.lua).catch(() => undefined);
  }

  async run(client: TRedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message ?? error).startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function n(x) return string.format('%d', x) end
`;

/**
 * KEYS: room leases (zset), this node's members there (hash). ARGV: node, lease, retention, then
 * ops as triples: 'a', clientId, member (add) or 'r', clientId, '' (remove), applied in order.
 * The lease goes with the last member. Returns 1 when the node had no members there before.
 */
export const ROOM_APPLY = new RedisScript(`${NOW}
local lapsed = redis.call('EXISTS', KEYS[2]) == 0
for i = 4, #ARGV, 3 do
  if ARGV[i] == 'a' then redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2]) else redis.call('HDEL', KEYS[2], ARGV[i + 1]) end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[1], n(now + tonumber(ARGV[2])), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if lapsed then return 1 end
return 0`);

/** KEYS: room leases, this node's members. ARGV: node, lease, retention, then clientId, member pairs. */
export const ROOM_REJOIN = new RedisScript(`${NOW}
redis.call('DEL', KEYS[2])
if #ARGV < 5 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[1], n(now + tonumber(ARGV[2])), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0`);

/**
 * KEYS: room leases, this node's members. ARGV: node, lease, retention, members-key prefix.
 * Returns { lapsed (0/1: this node's members are gone, nothing bumped), then clientId, member
 * pairs of the other nodes whose lease ran out, removed now }.
 */
export const ROOM_REFRESH = new RedisScript(`${NOW}
local out = {0}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', n(now))) do
  if dead ~= ARGV[1] then
    redis.call('ZREM', KEYS[1], dead)
    local key = ARGV[4] .. dead
    local entries = redis.call('HGETALL', key)
    redis.call('DEL', key)
    for i = 1, #entries do out[#out + 1] = entries[i] end
  end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  out[1] = 1
else
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[1], n(now + tonumber(ARGV[2])), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return out`);

/** KEYS: room leases. ARGV: members-key prefix. Returns clientId, member pairs of every live lease. */
export const ROOM_MEMBERS = new RedisScript(`${NOW}
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. n(now), '+inf')) do
  local entries = redis.call('HGETALL', ARGV[1] .. node)
  for i = 1, #entries do out[#out + 1] = entries[i] end
end
return out`);

/** KEYS: node leases, sweep claims. ARGV: node, lease. Returns { fresh (0/1), claimed node? }. */
export const NODE_BEAT = new RedisScript(`${NOW}
local fresh = redis.call('ZADD', KEYS[1], n(now + tonumber(ARGV[2])), ARGV[1])
local claimed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', n(now), 'LIMIT', 0, 1)[1]
if claimed then
  redis.call('ZREM', KEYS[1], claimed)
else
  claimed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', n(now), 'LIMIT', 0, 1)[1]
end
if claimed then
  redis.call('ZADD', KEYS[2], n(now + tonumber(ARGV[2])), claimed)
  return {fresh, claimed}
end
return {fresh}`);

/** KEYS: node leases. ARGV: node, grace. */
export const NODE_RETIRE = new RedisScript(`${NOW}
redis.call('ZADD', KEYS[1], n(now + tonumber(ARGV[2])), ARGV[1])
return 0`);

/** What the user scripts share: fields `n:<node>` (a connection there), `s` (state), `v` (version), `p` (who owes the notification). */
const USER = `${NOW}
local function bump()
  local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0') + 1
  if v < now * 1000 then v = now * 1000 end
  v = n(v)
  redis.call('HSET', KEYS[1], 'v', v)
  return v
end
local function held()
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 2) == 'n:' then return true end
  end
  return false
end
`;

/** KEYS: user. ARGV: node. Returns { 'online', version } on a transition, else nil. */
export const USER_UP = new RedisScript(`${USER}
redis.call('HSET', KEYS[1], 'n:' .. ARGV[1], '1')
redis.call('PERSIST', KEYS[1])
if redis.call('HGET', KEYS[1], 's') == '1' then return false end
redis.call('HSET', KEYS[1], 's', '1', 'p', ARGV[1])
return {'online', bump()}`);

/** KEYS: user. ARGV: node, retention. Returns { 'offline', version } on a transition, else nil. */
export const USER_SETTLE = new RedisScript(`${USER}
if redis.call('HGET', KEYS[1], 's') ~= '1' or held() then return false end
redis.call('HSET', KEYS[1], 's', '0', 'p', ARGV[1])
local v = bump()
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'offline', v}`);

/** KEYS: user. ARGV: node, dead node, retention. Returns { status, version } to notify, else nil. */
export const USER_SWEEP = new RedisScript(`${USER}
redis.call('HDEL', KEYS[1], 'n:' .. ARGV[2])
local s = redis.call('HGET', KEYS[1], 's')
if s == '1' and not held() then
  redis.call('HSET', KEYS[1], 's', '0', 'p', ARGV[1])
  local v = bump()
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'offline', v}
end
if s and redis.call('HGET', KEYS[1], 'p') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'p', ARGV[1])
  if s == '1' then return {'online', redis.call('HGET', KEYS[1], 'v')} end
  return {'offline', redis.call('HGET', KEYS[1], 'v')}
end
return false`);

/** KEYS: user. ARGV: node, version. */
export const USER_DELIVERED = new RedisScript(`
if redis.call('HGET', KEYS[1], 'p') == ARGV[1] and redis.call('HGET', KEYS[1], 'v') == ARGV[2] then
  redis.call('HDEL', KEYS[1], 'p')
end
return 0`);
