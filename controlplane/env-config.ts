import { readLogLevel } from "../common/log-level.js";
import type { ControlPlaneServerOptions } from "./server.js";

// `tollgate controlplane` configuration from the environment (DESIGN §2); a bad value is one clear error.

export type EnvConfig = { ok: true; options: ControlPlaneServerOptions } | { ok: false; error: string };

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 65535)) return `${name} must be a port number (0-65535), got "${text}"`;
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | string {
  const text = env[name]?.trim().toLowerCase() ?? "";
  if (text === "" || text === "0" || text === "false") return false;
  if (text === "1" || text === "true") return true;
  return `${name} must be 1 or 0, got "${env[name]}"`;
}

/** A whole number of days >= 1, or undefined (keep forever) when unset. */
function days(env: NodeJS.ProcessEnv, name: string): number | undefined | string {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = /^\d{1,6}$/.test(text) ? Number(text) : 0;
  if (value < 1) return `${name} must be a whole number of days (1 or more), got "${text}"`;
  return value;
}

export function controlPlaneConfigFromEnv(env: NodeJS.ProcessEnv, defaultWebRoot: string): EnvConfig {
  const adminPort = port(env, "TOLLGATE_CONTROLPLANE_PORT", 8081);
  const planePort = port(env, "TOLLGATE_PLANE_PORT", 8082);
  const allowPrivateUpstreams = flag(env, "TOLLGATE_ALLOW_PRIVATE_UPSTREAMS");
  // Raw usage logs older than this many days are pruned hourly; the usage rollups keep their sums.
  // Unset: kept forever (usage/retention.ts).
  const usageRetentionDays = days(env, "TOLLGATE_USAGE_RETENTION_DAYS");
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  for (const value of [adminPort, planePort, allowPrivateUpstreams, usageRetentionDays]) {
    if (typeof value === "string") return { ok: false, error: value };
  }
  const logLevel = readLogLevel(env);
  if ("error" in logLevel) return { ok: false, error: logLevel.error };
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return { ok: false, error: "DATABASE_URL must be a postgres:// or postgresql:// URL" };
  }
  if (adminPort === planePort && adminPort !== 0) {
    return { ok: false, error: "TOLLGATE_CONTROLPLANE_PORT and TOLLGATE_PLANE_PORT must differ" };
  }
  return {
    ok: true,
    options: {
      databaseUrl,
      dataDir: env.TOLLGATE_DATA_DIR?.trim() || "./data",
      adminToken: env.TOLLGATE_ADMIN_TOKEN,
      nodeToken: env.TOLLGATE_NODE_TOKEN,
      secretKey: env.TOLLGATE_SECRET_KEY,
      allowPrivateUpstreams: allowPrivateUpstreams as boolean,
      usageRetentionDays: usageRetentionDays as number | undefined,
      host: env.TOLLGATE_HOST?.trim() || "127.0.0.1",
      adminPort: adminPort as number,
      planePort: planePort as number,
      webRoot: env.TOLLGATE_WEB_ROOT?.trim() || defaultWebRoot,
      metricsToken: env.TOLLGATE_METRICS_TOKEN?.trim() || undefined,
      logLevel: logLevel.level,
    },
  };
}
