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

  it.each([
    [{ TOLLGATE_DATAPLANE_PORT: "http" }, "TOLLGATE_DATAPLANE_PORT"],
    [{ TOLLGATE_DATAPLANE_PORT: "70000" }, "TOLLGATE_DATAPLANE_PORT"],
    [{ TOLLGATE_MAX_BODY_BYTES: "-1" }, "TOLLGATE_MAX_BODY_BYTES"],
    [{ TOLLGATE_TRUSTED_PROXIES: "10.0.0.0/99" }, "TOLLGATE_TRUSTED_PROXIES"],
  ])("refuses %j naming the variable", (env, name) => {
    const result = dataPlaneSettingsFromEnv(env);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(name);
  });
});
