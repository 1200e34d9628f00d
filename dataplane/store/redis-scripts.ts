import type { Redis } from "ioredis";

// The Lua behind redis-store.ts. Each script runs atomically on the Redis server, so one call is one
// round trip and no other data plane sees a half-made change. Times come from the server's clock
// (TIME), so leases expire alike for every data plane whatever their clocks say.
// memory-store.ts implements the same rules; the shared suite (routing-store.case.ts) holds both to them.

/** Sets `now` to the server's clock in ms: the first lines of every script that reads time. */
export const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * The slot traffic of one event-loop turn: its releases, then its acquires, each as if it were its
 * own call (a slot released in the turn is free for the turn's acquires).
 * KEYS: the last-used hash; per release its user slots and account slots; per acquire its user slots,
 * the session's sticky keys (longest first) and one slot set per candidate (in the order to try them).
 * ARGV: the slot-freed channel, leaseMs, sticky TTL ms, the number of releases; per release its
 * requestId, user limit and account limit; per acquire its requestId, user limit, number of sticky
 * keys, number of candidates, its kind (below), then per candidate its account id and limit
 * (0 = unlimited).
 * A release publishes its request id when it actually freed a slot (not one already expired or
 * released) from a set at its limit, the only kind a request can be waiting on.
 * Kinds: 0 routes a request. 1 is sent behind a request already routed (known-bindings.ts): its one
 * candidate is where the request went, and a binding another data plane moved stays moved. 2 is
 * kind 1 for a request already over: it binds and records the use but takes no slot.
 * Returns per acquire: status ('ok' | 'user' | 'account'), the chosen candidate's 1-based index
 * (0 = none), 1 when it was the bound account, then per candidate its in-flight count and last use
 * (0 = never).
 */
const ROUTE = `${NOW_MS}
local channel = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local stickyTtlMs = tonumber(ARGV[3])
local releaseCount = tonumber(ARGV[4])
local lastUsedKey = KEYS[1]

local function full(key, limit)
  return limit > 0 and redis.call('ZCARD', key) >= limit
end
for i = 1, releaseCount do
  local user, account, arg = KEYS[2 * i], KEYS[2 * i + 1], 2 + 3 * i
  local requestId = ARGV[arg]
  local waitable = full(user, tonumber(ARGV[arg + 1])) or full(account, tonumber(ARGV[arg + 2]))
  local freed = redis.call('ZREM', user, requestId) + redis.call('ZREM', account, requestId)
  if freed > 0 and waitable then redis.call('PUBLISH', channel, requestId) end
end

-- k: the request's first key (its user slots); a: its first argument (its request id).
local function acquire(k, a)
  local requestId = ARGV[a]
  local userLimit = tonumber(ARGV[a + 1])
  local stickyCount = tonumber(ARGV[a + 2])
  local candidateCount = tonumber(ARGV[a + 3])
  local kind = ARGV[a + 4]
  local keepOther = kind ~= '0'
  local userKey = KEYS[k]
  local firstSlotKey = k + 1 + stickyCount
  local function accountId(i) return ARGV[a + 3 + 2 * i] end
  local function accountLimit(i) return tonumber(ARGV[a + 4 + 2 * i]) end

  -- A lease past its expiry belongs to a data plane that stopped renewing it (it crashed): free it.
  redis.call('ZREMRANGEBYSCORE', userKey, '-inf', now)
  local inFlight = {}
  for i = 1, candidateCount do
    local slotKey = KEYS[firstSlotKey + i - 1]
    redis.call('ZREMRANGEBYSCORE', slotKey, '-inf', now)
    inFlight[i] = redis.call('ZCARD', slotKey)
  end

  -- The session's binding is the one under its longest key that has one (a digest chain's earlier turns).
  local boundIndex, boundElsewhere = nil, false
  for j = 1, stickyCount do
    local bound = redis.call('GET', KEYS[k + j])
    if bound then
      for i = 1, candidateCount do
        if accountId(i) == bound then boundIndex = i break end
      end
      -- Bound to an account that can no longer serve: drop it; the chosen account is bound below.
      if not boundIndex then
        if keepOther then boundElsewhere = true else redis.call('DEL', KEYS[k + j]) end
      end
      break
    end
  end

  local status, chosen = 'account', nil
  if userLimit > 0 and redis.call('ZCARD', userKey) >= userLimit then
    status = 'user'
  else
    -- The bound account first, then the others in the order given; the first with room wins.
    local order = {}
    if boundIndex then order[1] = boundIndex end
    for i = 1, candidateCount do
      if i ~= boundIndex then order[#order + 1] = i end
    end
    for _, i in ipairs(order) do
      local limit = accountLimit(i)
      if limit == 0 or inFlight[i] < limit then chosen = i break end
    end
  end

  if chosen then
    status = 'ok'
    if kind ~= '2' then
      local expiry = now + leaseMs
      redis.call('ZADD', userKey, expiry, requestId)
      redis.call('ZADD', KEYS[firstSlotKey + chosen - 1], expiry, requestId)
      inFlight[chosen] = inFlight[chosen] + 1
    end
    -- (Re)bind the whole conversation so far; SET with PX also refreshes the TTL of a kept binding.
    if stickyCount > 0 and not boundElsewhere then
      redis.call('SET', KEYS[k + 1], accountId(chosen), 'PX', stickyTtlMs)
    end
    redis.call('HSET', lastUsedKey, accountId(chosen), now)
  end

  local ids = {}
  for i = 1, candidateCount do ids[i] = accountId(i) end
  local lastUsed = redis.call('HMGET', lastUsedKey, unpack(ids))
  local reply = { status, chosen or 0, (chosen ~= nil and chosen == boundIndex) and 1 or 0 }
  for i = 1, candidateCount do
    reply[#reply + 1] = inFlight[i]
    reply[#reply + 1] = tonumber(lastUsed[i]) or 0
  end
  return reply, firstSlotKey + candidateCount, a + 5 + 2 * candidateCount
end

local replies = {}
local k, a = 2 + 2 * releaseCount, 5 + 3 * releaseCount
while a <= #ARGV do
  local reply
  reply, k, a = acquire(k, a)
  replies[#replies + 1] = reply
end
return replies
`;

/**
 * KEYS: pairs of (user slots, account slots). ARGV: leaseMs, then one requestId per pair.
 * Only a lease still held is extended: a late renew must not resurrect a released or expired slot.
 */
const RENEW = `${NOW_MS}
local expiry = now + tonumber(ARGV[1])
for i = 2, #ARGV do
  for _, key in ipairs({ KEYS[2 * i - 3], KEYS[2 * i - 2] }) do
    local score = redis.call('ZSCORE', key, ARGV[i])
    if score and tonumber(score) > now then redis.call('ZADD', key, expiry, ARGV[i]) end
  end
end
return 0
`;

/**
 * KEYS: runtime hash (account id -> state JSON), version counter.
 * ARGV: channel, account id, the mark as JSON ({kind, until, reason}), or '' to clear the account.
 * Merges as account-state.ts mergeMark does, bumps the version and publishes {version, accountId,
 * state}; returns the same message so the caller's view has it at once.
 */
const SET_RUNTIME = `${NOW_MS}
local accountId = ARGV[2]
local state = {}
if ARGV[3] ~= '' then
  local stored = redis.call('HGET', KEYS[1], accountId)
  if stored then state = cjson.decode(stored) end
  local mark = cjson.decode(ARGV[3])
  -- 'until' is a Lua keyword, hence mark['until'].
  if mark.kind == 'rate_limited' then
    state.rateLimitedUntil = math.max(mark['until'], state.rateLimitedUntil or 0)
  elseif mark.kind == 'overloaded' then
    state.overloadedUntil = math.max(mark['until'], state.overloadedUntil or 0)
  elseif mark.kind == 'temp_unschedulable' then
    if mark['until'] > (state.tempUnschedulableUntil or 0) then
      state.tempUnschedulableUntil = mark['until']
      state.tempUnschedulableReason = mark.reason
    end
  elseif mark.kind == 'error' then
    state.errorMessage = mark.reason
  end
  if (state.rateLimitedUntil or now) <= now then state.rateLimitedUntil = nil end
  if (state.overloadedUntil or now) <= now then state.overloadedUntil = nil end
  if (state.tempUnschedulableUntil or now) <= now then
    state.tempUnschedulableUntil = nil
    state.tempUnschedulableReason = nil
  end
end
local version = redis.call('INCR', KEYS[2])
if next(state) == nil then
  redis.call('HDEL', KEYS[1], accountId)
else
  redis.call('HSET', KEYS[1], accountId, cjson.encode(state))
end
-- cjson encodes the empty table as {}, which is what an empty state is.
local message = cjson.encode({ version = version, accountId = accountId, state = state })
redis.call('PUBLISH', ARGV[1], message)
return message
`;

/** KEYS: runtime hash, version counter. Returns the version and every state, read together. */
const LOAD_RUNTIME = `
return { tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HGETALL', KEYS[1]) }
`;

/** KEYS: lock. ARGV: the holder's token. Deletes the lock only while this holder still has it. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const SCRIPTS = {
  tollgateRoute: ROUTE,
  tollgateRenew: RENEW,
  tollgateSetRuntime: SET_RUNTIME,
  tollgateLoadRuntime: LOAD_RUNTIME,
  tollgateUnlock: UNLOCK,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * The scripts redis-store.ts already sends once per event-loop turn for every call of the turn:
 * auto-pipelining (set it to ignore these) would hold each batch back one turn more.
 */
export const TURN_BATCHED_SCRIPTS: readonly ScriptName[] = ["tollgateRoute"];
type ScriptCall = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

export type RoutingScripts = Record<ScriptName, ScriptCall>;

/** Defines the scripts on the connection (EVALSHA, falling back to EVAL once per connection). */
export function defineRoutingScripts(redis: Redis): RoutingScripts {
  // defineCommand adds methods ioredis's types cannot know of; this is the one place that calls them.
  const commands = redis as unknown as Record<ScriptName, (...args: unknown[]) => Promise<unknown>>;
  const scripts = {} as Record<ScriptName, ScriptCall>;
  for (const [name, lua] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
    redis.defineCommand(name, { lua });
    scripts[name] = (keys, args) => commands[name](keys.length, ...keys, ...args);
  }
  return scripts;
}
