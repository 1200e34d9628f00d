import type { IpRule } from "../common/ip-rules.js";
import { readLogLevel } from "../common/log-level.js";
import type { QueueConfig } from "./pipeline/slot-wait.js";
import { parseTrustedProxies } from "./policy/client-ip.js";
import type { FailoverConfig } from "./routing/failover-policy.js";
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server/server-limits.js";
import { DEFAULT_UPSTREAM_TIMEOUTS, type UpstreamTimeouts } from "./upstream/upstream-client.js";

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
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS=1: upstreams on loopback/private addresses (local simulators). */
  allowPrivateUpstreams: boolean;
  upstreamTimeouts: UpstreamTimeouts;
  serverLimits: ServerLimits;
  /** TOLLGATE_METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer` with it. */
  metricsToken: string | undefined;
  logLevel: string;
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

const UPSTREAM_TIMEOUT_ENV: Record<keyof UpstreamTimeouts, string> = {
  connectMs: "TOLLGATE_UPSTREAM_CONNECT_TIMEOUT_MS",
  headersMs: "TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS",
  bodyIdleMs: "TOLLGATE_UPSTREAM_BODY_IDLE_TIMEOUT_MS",
};
const SERVER_LIMITS_ENV: Record<keyof ServerLimits, string> = {
  maxHeaderBytes: "TOLLGATE_MAX_HEADER_BYTES",
  headersTimeoutMs: "TOLLGATE_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "TOLLGATE_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "TOLLGATE_KEEPALIVE_TIMEOUT_MS",
  clientIdleTimeoutMs: "TOLLGATE_CLIENT_IDLE_TIMEOUT_MS",
  drainDelayMs: "TOLLGATE_DRAIN_DELAY_MS",
  shutdownTimeoutMs: "TOLLGATE_SHUTDOWN_TIMEOUT_MS",
};
// Zero turns these off; every other limit and timeout must be positive.
const ZERO_ALLOWED = new Set(["clientIdleTimeoutMs", "drainDelayMs"]);

/** A 1/0 switch (TOLLGATE_ALLOW_PRIVATE_UPSTREAMS). */
export function readFlag(env: NodeJS.ProcessEnv, name: string): boolean | string {
  const text = env[name]?.trim().toLowerCase() ?? "";
  if (text === "" || text === "0" || text === "false") return false;
  if (text === "1" || text === "true") return true;
  return `${name} must be 1 or 0, got "${env[name]}"`;
}

function readTimings<K extends string>(
  env: NodeJS.ProcessEnv,
  names: Record<K, string>,
  defaults: Record<K, number>,
): Record<K, number> | string {
  const out = { ...defaults };
  for (const key of Object.keys(names) as K[]) {
    const value = readCount(env, names[key]);
    if (typeof value === "string") return value;
    if (value === undefined) continue;
    if (value === 0 && !ZERO_ALLOWED.has(key)) return `${names[key]}: must be greater than 0`;
    out[key] = value;
  }
  return out;
}

/** Cross-field rules, so a combination node:http would reject fails at start. */
function checkTimings(limits: ServerLimits): string | undefined {
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    return "TOLLGATE_HEADERS_TIMEOUT_MS must not exceed TOLLGATE_REQUEST_TIMEOUT_MS";
  return undefined;
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
  const allowPrivateUpstreams = readFlag(env, "TOLLGATE_ALLOW_PRIVATE_UPSTREAMS");
  if (typeof allowPrivateUpstreams === "string") return { ok: false, error: allowPrivateUpstreams };
  const upstreamTimeouts = readTimings(env, UPSTREAM_TIMEOUT_ENV, DEFAULT_UPSTREAM_TIMEOUTS);
  if (typeof upstreamTimeouts === "string") return { ok: false, error: upstreamTimeouts };
  const serverLimits = readTimings(env, SERVER_LIMITS_ENV, DEFAULT_SERVER_LIMITS);
  if (typeof serverLimits === "string") return { ok: false, error: serverLimits };
  const timings = checkTimings(serverLimits);
  if (timings) return { ok: false, error: timings };
  const logLevel = readLogLevel(env);
  if ("error" in logLevel) return { ok: false, error: logLevel.error };
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
      allowPrivateUpstreams,
      upstreamTimeouts,
      serverLimits,
      metricsToken: env.TOLLGATE_METRICS_TOKEN || undefined,
      logLevel: logLevel.level,
    },
  };
}
