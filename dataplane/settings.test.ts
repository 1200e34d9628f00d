import { describe, expect, it } from "vitest";
import { dataPlaneSettingsFromEnv } from "./settings.js";

describe("dataPlaneSettingsFromEnv", () => {
  it("has defaults for everything", () => {
    const result = dataPlaneSettingsFromEnv({});
    expect(result).toMatchObject({ ok: true, settings: { host: "127.0.0.1", port: 8080, nodeToken: undefined } });
  });

  it("reads what is set", () => {
    const result = dataPlaneSettingsFromEnv({
      TOLLGATE_HOST: "0.0.0.0",
      TOLLGATE_DATAPLANE_PORT: "9000",
      TOLLGATE_NODE_TOKEN: "n",
      TOLLGATE_TRUSTED_PROXIES: "10.0.0.0/8, ::1",
      TOLLGATE_MAX_BODY_BYTES: "1024",
    });
    expect(result.ok && result.settings).toMatchObject({
      host: "0.0.0.0",
      port: 9000,
      nodeToken: "n",
      maxBodyBytes: 1024,
    });
    expect(result.ok && result.settings.trustedProxies).toHaveLength(2);
  });

  it("reads routing timings, so tests and operators can tune them", () => {
    const result = dataPlaneSettingsFromEnv({
      REDIS_URL: "redis://127.0.0.1:6379",
      TOLLGATE_SAME_ACCOUNT_RETRY_DELAY_MS: "20",
      TOLLGATE_FAILOVER_MAX_SWITCHES: "0",
      TOLLGATE_QUEUE_TIMEOUT_MS: "1500",
      TOLLGATE_SLOT_LEASE_MS: "9000",
    });
    expect(result.ok && result.settings).toMatchObject({
      redisUrl: "redis://127.0.0.1:6379",
      failover: { sameAccountRetryDelayMs: 20, maxSwitches: 0 },
      queue: { timeoutMs: 1500 },
      slotLeaseMs: 9000,
    });
  });

  it("has safe defaults for limits, timeouts and the upstream guard", () => {
    const result = dataPlaneSettingsFromEnv({});
    expect(result.ok && result.settings).toMatchObject({
      allowPrivateUpstreams: false,
      upstreamTimeouts: { connectMs: 10_000, headersMs: 300_000, bodyIdleMs: 300_000 },
      serverLimits: {
        maxHeaderBytes: 32_768,
        headersTimeoutMs: 60_000,
        requestTimeoutMs: 300_000,
        keepAliveTimeoutMs: 65_000,
        clientIdleTimeoutMs: 600_000,
        drainDelayMs: 0,
        shutdownTimeoutMs: 60_000,
      },
      metricsToken: undefined,
      logLevel: "info",
    });
  });

  it("reads limits, timeouts, the upstream guard, the metrics token and the log level", () => {
    const result = dataPlaneSettingsFromEnv({
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_UPSTREAM_CONNECT_TIMEOUT_MS: "2000",
      TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS: "60000",
      TOLLGATE_UPSTREAM_BODY_IDLE_TIMEOUT_MS: "90000",
      TOLLGATE_MAX_HEADER_BYTES: "8192",
      TOLLGATE_HEADERS_TIMEOUT_MS: "10000",
      TOLLGATE_REQUEST_TIMEOUT_MS: "20000",
      TOLLGATE_KEEPALIVE_TIMEOUT_MS: "5000",
      TOLLGATE_CLIENT_IDLE_TIMEOUT_MS: "0",
      TOLLGATE_DRAIN_DELAY_MS: "3000",
      TOLLGATE_SHUTDOWN_TIMEOUT_MS: "15000",
      TOLLGATE_METRICS_TOKEN: "scrape-me",
      TOLLGATE_LOG_LEVEL: "WARN",
    });
    expect(result.ok && result.settings).toMatchObject({
      allowPrivateUpstreams: true,
      upstreamTimeouts: { connectMs: 2000, headersMs: 60_000, bodyIdleMs: 90_000 },
      serverLimits: {
        maxHeaderBytes: 8192,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 20_000,
        keepAliveTimeoutMs: 5000,
        clientIdleTimeoutMs: 0,
        drainDelayMs: 3000,
        shutdownTimeoutMs: 15_000,
      },
      metricsToken: "scrape-me",
      logLevel: "warn",
    });
  });

  it.each([
    [{ TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "yes" }, "TOLLGATE_ALLOW_PRIVATE_UPSTREAMS must be 1 or 0"],
    [{ TOLLGATE_UPSTREAM_CONNECT_TIMEOUT_MS: "0" }, "TOLLGATE_UPSTREAM_CONNECT_TIMEOUT_MS: must be greater than 0"],
    [{ TOLLGATE_MAX_HEADER_BYTES: "big" }, "TOLLGATE_MAX_HEADER_BYTES"],
    [{ TOLLGATE_SHUTDOWN_TIMEOUT_MS: "-1" }, "TOLLGATE_SHUTDOWN_TIMEOUT_MS"],
    [
      { TOLLGATE_HEADERS_TIMEOUT_MS: "400000" },
      "TOLLGATE_HEADERS_TIMEOUT_MS must not exceed TOLLGATE_REQUEST_TIMEOUT_MS",
    ],
    [{ TOLLGATE_LOG_LEVEL: "loud" }, "TOLLGATE_LOG_LEVEL"],
  ])("refuses %j with one clear line", (env, message) => {
    const result = dataPlaneSettingsFromEnv(env);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
    expect(!result.ok && result.error).not.toContain("\n");
  });

  it.each([
    [{ TOLLGATE_DATAPLANE_PORT: "http" }, "TOLLGATE_DATAPLANE_PORT"],
    [{ TOLLGATE_DATAPLANE_PORT: "70000" }, "TOLLGATE_DATAPLANE_PORT"],
    [{ TOLLGATE_MAX_BODY_BYTES: "-1" }, "TOLLGATE_MAX_BODY_BYTES"],
    [{ TOLLGATE_TRUSTED_PROXIES: "10.0.0.0/99" }, "TOLLGATE_TRUSTED_PROXIES"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL"],
    [{ TOLLGATE_SAME_ACCOUNT_RETRY_DELAY_MS: "soon" }, "TOLLGATE_SAME_ACCOUNT_RETRY_DELAY_MS"],
    [{ TOLLGATE_QUEUE_TIMEOUT_MS: "-5" }, "TOLLGATE_QUEUE_TIMEOUT_MS"],
  ])("refuses %j naming the variable", (env, name) => {
    const result = dataPlaneSettingsFromEnv(env);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(name);
  });
});
