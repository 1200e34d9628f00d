import { describe, expect, it } from "vitest";
import { controlPlaneConfigFromEnv } from "./env-config.js";

describe("controlPlaneConfigFromEnv", () => {
  it("uses the documented defaults", () => {
    expect(controlPlaneConfigFromEnv({}, "/web")).toEqual({
      ok: true,
      options: {
        databaseUrl: undefined,
        dataDir: "./data",
        adminToken: undefined,
        nodeToken: undefined,
        secretKey: undefined,
        allowPrivateUpstreams: false,
        usageRetentionDays: undefined,
        host: "127.0.0.1",
        adminPort: 8081,
        planePort: 8082,
        webRoot: "/web",
        metricsToken: undefined,
        logLevel: "info",
      },
    });
  });

  it("reads every variable", () => {
    const config = controlPlaneConfigFromEnv(
      {
        DATABASE_URL: "postgres://db/x",
        TOLLGATE_DATA_DIR: "/var/lib/tg",
        TOLLGATE_ADMIN_TOKEN: "a",
        TOLLGATE_NODE_TOKEN: "n",
        TOLLGATE_SECRET_KEY: "s",
        TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
        TOLLGATE_USAGE_RETENTION_DAYS: "90",
        TOLLGATE_HOST: "0.0.0.0",
        TOLLGATE_CONTROLPLANE_PORT: "9001",
        TOLLGATE_PLANE_PORT: "9002",
        TOLLGATE_WEB_ROOT: "/srv/ui",
        TOLLGATE_METRICS_TOKEN: "scrape",
        TOLLGATE_LOG_LEVEL: "debug",
      },
      "/web",
    );
    expect(config).toEqual({
      ok: true,
      options: {
        databaseUrl: "postgres://db/x",
        dataDir: "/var/lib/tg",
        adminToken: "a",
        nodeToken: "n",
        secretKey: "s",
        allowPrivateUpstreams: true,
        usageRetentionDays: 90,
        host: "0.0.0.0",
        adminPort: 9001,
        planePort: 9002,
        webRoot: "/srv/ui",
        metricsToken: "scrape",
        logLevel: "debug",
      },
    });
  });

  it.each([
    [{ TOLLGATE_PLANE_PORT: "http" }, 'TOLLGATE_PLANE_PORT must be a port number (0-65535), got "http"'],
    [{ TOLLGATE_CONTROLPLANE_PORT: "70000" }, "TOLLGATE_CONTROLPLANE_PORT must be a port number"],
    [{ TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "yes" }, "TOLLGATE_ALLOW_PRIVATE_UPSTREAMS must be 1 or 0"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must be a postgres://"],
    [
      { TOLLGATE_USAGE_RETENTION_DAYS: "0" },
      'TOLLGATE_USAGE_RETENTION_DAYS must be a whole number of days (1 or more), got "0"',
    ],
    [{ TOLLGATE_USAGE_RETENTION_DAYS: "30d" }, "TOLLGATE_USAGE_RETENTION_DAYS must be a whole number of days"],
    [{ TOLLGATE_USAGE_RETENTION_DAYS: "1.5" }, "TOLLGATE_USAGE_RETENTION_DAYS must be a whole number of days"],
    [{ TOLLGATE_CONTROLPLANE_PORT: "9000", TOLLGATE_PLANE_PORT: "9000" }, "must differ"],
    [{ TOLLGATE_LOG_LEVEL: "chatty" }, 'TOLLGATE_LOG_LEVEL: "chatty" is not one of'],
  ])("refuses %o", (env, error) => {
    const config = controlPlaneConfigFromEnv(env, "/web");
    expect(config.ok).toBe(false);
    if (!config.ok) expect(config.error).toContain(error);
  });
});
