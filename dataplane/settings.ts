import type { IpRule } from "../common/ip-rules.js";
import type { QueueConfig } from "./pipeline/slot-wait.js";
import { parseTrustedProxies } from "./policy/client-ip.js";
import type { FailoverConfig } from "./routing/failover-policy.js";

// The data plane's environment, validated at start: a bad value is one clear line, not a stack trace.

// Anthropic accepts request bodies up to 32 MB; Claude Code sends images inline.
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface DataPlaneSettings {
  host: string;
  port: number;
  nodeToken: string | undefined;
  trustedProxies: IpRule[];
  maxBodyBytes: number;
  dataDir: string;
  /** Shared routing state; in memory when absent. */
  redisUrl: string | undefined;
  redisKeyPrefix: string | undefined;
  failover: Partial<FailoverConfig>;
  queue: Partial<QueueConfig>;
  slotLeaseMs: number | undefined;
  stickyTtlMs: number | undefined;
}

// Every routing timing and count can be set, so operators can tune and tests can run fast.
const FAILOVER_ENV: Record<keyof FailoverConfig, string> = {
  maxSwitches: "TOLLGATE_FAILOVER_MAX_SWITCHES",
  maxSwitchesGemini: "TOLLGATE_FAILOVER_MAX_SWITCHES_GEMINI",
  sameAccountRetries: "TOLLGATE_SAME_ACCOUNT_RETRIES",
  sameAccountRetryDelayMs: "TOLLGATE_SAME_ACCOUNT_RETRY_DELAY_MS",
  tempUnschedulableMs: "TOLLGATE_TEMP_UNSCHEDULABLE_MS",
  rateLimitDefaultMs: "TOLLGATE_RATE_LIMIT_DEFAULT_MS",
  rateLimitMaxMs: "TOLLGATE_RATE_LIMIT_MAX_MS",
  overloadedMs: "TOLLGATE_OVERLOADED_MS",
};
const QUEUE_ENV: Record<keyof QueueConfig, string> = {
  maxWaiting: "TOLLGATE_QUEUE_MAX_WAITING",
  timeoutMs: "TOLLGATE_QUEUE_TIMEOUT_MS",
  pingAfterMs: "TOLLGATE_QUEUE_PING_AFTER_MS",
  pingIntervalMs: "TOLLGATE_QUEUE_PING_INTERVAL_MS",
  retryMs: "TOLLGATE_QUEUE_RETRY_MS",
};

function readCount(env: NodeJS.ProcessEnv, name: string): number | undefined | string {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : `${name}: "${text}" is not a whole number >= 0`;
}

function readTable<K extends string>(
  env: NodeJS.ProcessEnv,
  names: Record<K, string>,
): Partial<Record<K, number>> | string {
  const out: Partial<Record<K, number>> = {};
  for (const key of Object.keys(names) as K[]) {
    const value = readCount(env, names[key]);
    if (typeof value === "string") return value;
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export type SettingsResult<T> = { ok: true; settings: T } | { ok: false; error: string };

export function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535
    ? port
    : `${name}: "${text}" is not a port number (0-65535)`;
}

function readPositiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : `${name}: "${text}" is not a positive whole number`;
}

export function dataPlaneSettingsFromEnv(env: NodeJS.ProcessEnv): SettingsResult<DataPlaneSettings> {
  const port = readPort(env, "TOLLGATE_DATAPLANE_PORT", 8080);
  if (typeof port === "string") return { ok: false, error: port };
  const maxBodyBytes = readPositiveInt(env, "TOLLGATE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES);
  if (typeof maxBodyBytes === "string") return { ok: false, error: maxBodyBytes };
  const proxies = parseTrustedProxies(env.TOLLGATE_TRUSTED_PROXIES);
  if (!proxies.ok) return { ok: false, error: proxies.error };
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    return { ok: false, error: "REDIS_URL must be a redis:// or rediss:// URL" };
  const failover = readTable(env, FAILOVER_ENV);
  if (typeof failover === "string") return { ok: false, error: failover };
  const queue = readTable(env, QUEUE_ENV);
  if (typeof queue === "string") return { ok: false, error: queue };
  const slotLeaseMs = readCount(env, "TOLLGATE_SLOT_LEASE_MS");
  if (typeof slotLeaseMs === "string") return { ok: false, error: slotLeaseMs };
  const stickyTtlMs = readCount(env, "TOLLGATE_STICKY_TTL_MS");
  if (typeof stickyTtlMs === "string") return { ok: false, error: stickyTtlMs };
  return {
    ok: true,
    settings: {
      host: env.TOLLGATE_HOST || "127.0.0.1",
      port,
      nodeToken: env.TOLLGATE_NODE_TOKEN || undefined,
      trustedProxies: proxies.rules,
      maxBodyBytes,
      dataDir: env.TOLLGATE_DATA_DIR || "./data",
      redisUrl,
      redisKeyPrefix: env.TOLLGATE_REDIS_PREFIX || undefined,
      failover,
      queue,
      slotLeaseMs,
      stickyTtlMs,
    },
  };
}
