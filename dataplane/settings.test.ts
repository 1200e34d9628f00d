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
