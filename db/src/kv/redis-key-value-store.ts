import type { Redis } from 'ioredis';
import { assertTtl, type KeyValueStore } from './key-value-store';
import { sessionKey } from './keys';
import { ticketUsesKey } from './redeem-ticket';

// KEYS[1] key; ARGV expected, next, ttl (ms, or '' to keep the current expiry).
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

// KEYS[1] key; ARGV ttl (ms) for a counter this call creates.
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

// KEYS[1] the ticket, KEYS[2] its use counter; ARGV[1] the full key of a session, less its id.
// The session is looked up after the use is spent, as redeemTicketStepwise does: a use spent on
// an ended session is no loss, the ticket is worthless then. The session key is built here from
// the ticket, not declared in KEYS: fine on one Redis, not on Redis Cluster (where the session
// may live on another shard), which would need the session id in the ticket's key.
// A ticket of several uses without an expiry is refused, as the stepwise version does: its
// counter would expire at once (PTTL -1) and the ticket redeem without limit.
const REDEEM_TICKET = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ticket = cjson.decode(raw)
local uses = tonumber(ticket.uses) or 1
if uses <= 1 then
  redis.call('DEL', KEYS[1])
else
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then return false end
  local used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('PEXPIRE', KEYS[2], math.max(ttl, 1)) end
  if used > uses then return false end
end
if type(ticket.sessionId) ~= 'string' then return false end
if redis.call('EXISTS', ARGV[1] .. ticket.sessionId) == 0 then return false end
return raw`;

export function createRedisKeyValueStore(redis: Redis, prefix: string): KeyValueStore {
  const k = (key: string) => prefix + key;
  return {
    kind: 'redis',
    get: (key) => redis.get(k(key)),
    async set(key, value, ttlMs) {
      assertTtl(ttlMs);
      if (ttlMs) await redis.set(k(key), value, 'PX', ttlMs);
      else await redis.set(k(key), value);
    },
    async setIfAbsent(key, value, ttlMs) {
      assertTtl(ttlMs);
      const result = ttlMs
        ? await redis.set(k(key), value, 'PX', ttlMs, 'NX')
        : await redis.set(k(key), value, 'NX');
      return result === 'OK';
    },
    async compareAndSet(key, expected, next, ttlMs) {
      assertTtl(ttlMs);
      const swapped = await redis.eval(
        COMPARE_AND_SET,
        1,
        k(key),
        expected,
        next,
        ttlMs ? String(ttlMs) : '',
      );
      return swapped === 1;
    },
    take: (key) => redis.getdel(k(key)),
    async increment(key, ttlMs) {
      assertTtl(ttlMs);
      return Number(await redis.eval(INCREMENT, 1, k(key), String(ttlMs)));
    },
    async redeemTicket(key) {
      const raw = await redis.eval(
        REDEEM_TICKET,
        2,
        k(key),
        k(ticketUsesKey(key)),
        k(sessionKey('')),
      );
      return typeof raw === 'string' ? raw : null;
    },
    async delete(...keys) {
      if (keys.length) await redis.del(...keys.map(k));
    },
    async setAdd(key, member) {
      await redis.sadd(k(key), member);
    },
    async setRemove(key, member) {
      await redis.srem(k(key), member);
    },
    setMembers: (key) => redis.smembers(k(key)),
    async ttl(key) {
      const ms = await redis.pttl(k(key));
      return ms < 0 ? null : ms;
    },
  };
}
