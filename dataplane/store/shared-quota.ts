import type { Redis } from "ioredis";
import type { Atto } from "../../common/money.js";
import type { Admission } from "../sync/spend-admission.js";
import { NOW_MS } from "./redis-scripts.js";

// A key's quota across data planes (issue: "a key never overspends its limit by more than one request
// per data plane"). A data plane learns another's spend only once it is billed and published, about
// 300 ms later; racing for a key's last dollar, both could otherwise spend it. So for keys with a
// quota, every data plane records in Redis what its requests may still cost: the ceiling of each
// request in flight, then the actual cost of each finished one until the billing has reached every
// data plane's config. One script checks a new request against all of it and reserves its ceiling
// atomically, with spend-admission.ts's rule applied to the totals: admitted while its ceiling fits,
// or while nothing is in flight for the key anywhere. Keys without a quota never pay for this.
//
// Keys (under the prefix): quota:{keyId}:inflight and quota:{keyId}:settled, hashes of request id ->
// nano-USD (Lua numbers are doubles: whole nano-dollars stay exact up to $9 million), and
// quota:{keyId}:expiry, a sorted set of request id -> expiry, so a crashed data plane's entries lapse.

export interface SharedQuota {
  reserve(keyId: string, requestId: string, ceiling: Atto | undefined, remaining: Atto): Promise<Admission>;
  /** The request ended with this cost: it is no longer in flight, but not yet billed everywhere. */
  settle(keyId: string, requestId: string, cost: Atto): Promise<void>;
  /** Billed: these count only until the billing has reached every data plane's config, graceMs from now. */
  billed(keyId: string, requestIds: readonly string[], graceMs: number): Promise<void>;
  /** Never billed (the request recorded no usage): it no longer counts. */
  forget(keyId: string, requestId: string): Promise<void>;
}

const ATTO_PER_NANO = 1_000_000_000n;
// An entry lives this long unless settled or forgotten (a long stream, or a data plane that died).
const DEFAULT_TTL_MS = 60 * 60_000;

/** Rounded up: the shared check must never count less than is spent. */
function nano(amount: Atto): number {
  return Number((amount + ATTO_PER_NANO - 1n) / ATTO_PER_NANO);
}

// KEYS: inflight, settled, expiry. ARGV: requestId, ceiling (-1 = unbounded), remaining, ttl ms.
// Returns 'admit', 'exhausted' or 'one_at_a_time'.
const RESERVE = `${NOW_MS}
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(expired) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local settled = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do settled = settled + tonumber(v) end
local remaining = tonumber(ARGV[3]) - settled
if remaining <= 0 then return 'exhausted' end
local ceiling = tonumber(ARGV[2])
local inflight = redis.call('HVALS', KEYS[1])
if #inflight > 0 then
  if ceiling < 0 then return 'one_at_a_time' end
  local committed = ceiling
  for _, v in ipairs(inflight) do
    local c = tonumber(v)
    if c < 0 then return 'one_at_a_time' end
    committed = committed + c
  end
  if committed > remaining then return 'one_at_a_time' end
end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 'admit'
`;

// KEYS: inflight, settled, expiry. ARGV: requestId, cost, ttl ms.
const SETTLE = `${NOW_MS}
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
`;

// KEYS: expiry. ARGV: grace ms, then request ids. The entries lapse then, and the next RESERVE sweeps
// them: nothing has to run later, so a data plane that shuts down meanwhile leaves nothing behind.
const BILLED = `${NOW_MS}
local at = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', at, ARGV[i]) end
`;

// KEYS: inflight, settled, expiry. ARGV: requestId.
const FORGET = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
`;

type Scripts = Redis & {
  tollgateQuotaReserve(...args: (string | number)[]): Promise<string>;
  tollgateQuotaSettle(...args: (string | number)[]): Promise<unknown>;
  tollgateQuotaBilled(...args: (string | number)[]): Promise<unknown>;
  tollgateQuotaForget(...args: (string | number)[]): Promise<unknown>;
};

export function redisSharedQuota(redis: Redis, keyPrefix: string, ttlMs = DEFAULT_TTL_MS): SharedQuota {
  redis.defineCommand("tollgateQuotaReserve", { numberOfKeys: 3, lua: RESERVE });
  redis.defineCommand("tollgateQuotaSettle", { numberOfKeys: 3, lua: SETTLE });
  redis.defineCommand("tollgateQuotaBilled", { numberOfKeys: 1, lua: BILLED });
  redis.defineCommand("tollgateQuotaForget", { numberOfKeys: 3, lua: FORGET });
  const scripts = redis as Scripts;
  const keys = (keyId: string) => [
    `${keyPrefix}quota:${keyId}:inflight`,
    `${keyPrefix}quota:${keyId}:settled`,
    `${keyPrefix}quota:${keyId}:expiry`,
  ];
  return {
    async reserve(keyId, requestId, ceiling, remaining) {
      const verdict = await scripts.tollgateQuotaReserve(
        ...keys(keyId),
        requestId,
        ceiling === undefined ? -1 : nano(ceiling),
        // Remaining is rounded down, so that rounding never admits what exact money would refuse.
        Number(remaining / ATTO_PER_NANO),
        ttlMs,
      );
      return verdict as Admission;
    },
    async settle(keyId, requestId, cost) {
      await scripts.tollgateQuotaSettle(...keys(keyId), requestId, nano(cost), ttlMs);
    },
    async billed(keyId, requestIds, graceMs) {
      if (requestIds.length === 0) return;
      await scripts.tollgateQuotaBilled(keys(keyId)[2] as string, graceMs, ...requestIds);
    },
    async forget(keyId, requestId) {
      await scripts.tollgateQuotaForget(...keys(keyId), requestId);
    },
  };
}
