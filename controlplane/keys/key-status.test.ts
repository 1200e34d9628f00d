import { describe, expect, it } from "vitest";
import { parseDecimal } from "../../common/money.js";
import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { effectiveKeyStatus } from "./key-status.js";

const now = new Date("2026-01-01T00:00:00Z");
const usd = (s: string) => parseDecimal(s) as bigint;
const base = { status: "active", expiresAt: null, quota: 0n, quotaUsed: 0n };

describe("effectiveKeyStatus", () => {
  it.each([
    ["active, unlimited", base, ApiKeyStatus.ACTIVE],
    ["unlimited quota never exhausts", { ...base, quotaUsed: usd("1000") }, ApiKeyStatus.ACTIVE],
    ["below quota", { ...base, quota: usd("10"), quotaUsed: usd("9.99") }, ApiKeyStatus.ACTIVE],
    ["at quota", { ...base, quota: usd("10"), quotaUsed: usd("10") }, ApiKeyStatus.QUOTA_EXHAUSTED],
    ["over quota", { ...base, quota: usd("10"), quotaUsed: usd("10.5") }, ApiKeyStatus.QUOTA_EXHAUSTED],
    ["expires later", { ...base, expiresAt: new Date("2026-01-02T00:00:00Z") }, ApiKeyStatus.ACTIVE],
    ["expired at this instant", { ...base, expiresAt: now }, ApiKeyStatus.EXPIRED],
    [
      "expired beats exhausted",
      { ...base, expiresAt: new Date(0), quota: usd("1"), quotaUsed: usd("2") },
      ApiKeyStatus.EXPIRED,
    ],
    ["disabled beats everything", { ...base, status: "disabled", expiresAt: new Date(0) }, ApiKeyStatus.DISABLED],
  ])("%s", (_name, key, expected) => {
    expect(effectiveKeyStatus(key, now)).toBe(expected);
  });
});
