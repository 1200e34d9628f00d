import { Redis } from "ioredis";
import { openMemoryStore } from "./memory-store.js";
import { TURN_BATCHED_SCRIPTS } from "./redis-scripts.js";
import { DEFAULT_KEY_PREFIX, openRedisStore } from "./redis-store.js";
import type { RoutingStore } from "./routing-store.js";
import { redisSharedQuota, type SharedQuota } from "./shared-quota.js";

// The routing store a data plane runs on: Redis (shared by every data plane) when REDIS_URL is set,
// else in memory (`npm start`, one data plane).
export interface StoreSettings {
  redisUrl?: string | undefined;
  keyPrefix?: string | undefined;
  slotLeaseMs?: number | undefined;
  stickyTtlMs?: number | undefined;
  onError(error: Error): void;
}

export interface OpenedStore {
  store: RoutingStore;
  /** Keys' quotas across data planes; absent in memory, where one data plane's own count is exact. */
  sharedQuota?: SharedQuota;
  close(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 1_000;
const RECONNECT_MAX_MS = 500;

export async function openStore(settings: StoreSettings): Promise<OpenedStore> {
  const tuning = {
    ...(settings.slotLeaseMs !== undefined && { slotLeaseMs: settings.slotLeaseMs }),
    ...(settings.stickyTtlMs !== undefined && { stickyTtlMs: settings.stickyTtlMs }),
  };
  if (!settings.redisUrl) {
    const store = openMemoryStore(tuning);
    return { store, close: () => store.close() };
  }
  // Auto-pipelining sends the commands of many concurrent requests in one socket write: under load the
  // per-command write syscall was the largest cost of routing on Redis. With Redis unreachable, a
  // request waiting to be routed is refused within COMMAND_TIMEOUT_MS (ioredis alone held commands
  // for two reconnection attempts, whose pauses grow: 10 s and more into an outage), and reconnection
  // is tried at least every RECONNECT_MAX_MS, so routing comes back soon after Redis does.
  const redis = new Redis(settings.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 50, RECONNECT_MAX_MS),
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: [...TURN_BATCHED_SCRIPTS],
  });
  await redis.connect();
  try {
    const store = await openRedisStore({
      redis,
      keyPrefix: settings.keyPrefix,
      onError: settings.onError,
      ...tuning,
    });
    return {
      store,
      sharedQuota: redisSharedQuota(redis, settings.keyPrefix ?? DEFAULT_KEY_PREFIX),
      async close() {
        await store.close();
        redis.disconnect();
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}
