import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import { UserStatus } from "../../gen/tollgate/admin/v1/user_pb.js";
import { type ApiKey, ApiKeySchema, GroupSchema, UserSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ErrorCode } from "../errors.js";
import { checkKey, compileKey, compileUser } from "./key-check.js";

const NOW = Date.parse("2026-11-27T12:00:00Z");

type KeyFields = Partial<Omit<ApiKey, "$typeName" | "$unknown">>;

// The generated messages go in as they are: the policy types are structural.
function key(fields: KeyFields = {}): ApiKey {
  return create(ApiKeySchema, {
    id: "k1",
    userId: "u1",
    groupId: "g1",
    status: ApiKeyStatus.ACTIVE,
    quotaUsd: "0",
    quotaUsedUsd: "0",
    ...fields,
  });
}
const activeUser = create(UserSchema, { id: "u1", status: UserStatus.ACTIVE, balanceUsd: "10" });
const activeGroup = create(GroupSchema, { id: "g1", status: GroupStatus.ACTIVE });

interface Row {
  name: string;
  key?: KeyFields;
  user?: { status?: UserStatus; balanceUsd?: string } | "missing";
  group?: GroupStatus | "missing";
  ip?: string;
  expect: ErrorCode | "ok";
}

const rows: Row[] = [
  { name: "active key, user and group", expect: "ok" },
  { name: "disabled key", key: { status: ApiKeyStatus.DISABLED }, expect: "API_KEY_DISABLED" },
  { name: "key without a status fails closed", key: { status: ApiKeyStatus.UNSPECIFIED }, expect: "API_KEY_DISABLED" },
  { name: "status expired", key: { status: ApiKeyStatus.EXPIRED }, expect: "API_KEY_EXPIRED" },
  { name: "expiry passed", key: { expiresAt: timestampFromMs(NOW - 1) }, expect: "API_KEY_EXPIRED" },
  { name: "expires exactly now", key: { expiresAt: timestampFromMs(NOW) }, expect: "API_KEY_EXPIRED" },
  { name: "expires later", key: { expiresAt: timestampFromMs(NOW + 1) }, expect: "ok" },
  { name: "status quota exhausted", key: { status: ApiKeyStatus.QUOTA_EXHAUSTED }, expect: "API_KEY_QUOTA_EXHAUSTED" },
  { name: "quota used up exactly", key: { quotaUsd: "5", quotaUsedUsd: "5.000" }, expect: "API_KEY_QUOTA_EXHAUSTED" },
  { name: "quota overshot", key: { quotaUsd: "5", quotaUsedUsd: "5.0000001" }, expect: "API_KEY_QUOTA_EXHAUSTED" },
  // exact decimals: 0.1 + 0.2 style float error would misjudge this boundary
  { name: "quota not yet used up", key: { quotaUsd: "0.3", quotaUsedUsd: "0.299999999999999999" }, expect: "ok" },
  { name: "quota 0 is unlimited", key: { quotaUsd: "0", quotaUsedUsd: "1000000" }, expect: "ok" },
  { name: "empty quota is unlimited", key: { quotaUsd: "", quotaUsedUsd: "3" }, expect: "ok" },
  {
    name: "disabled beats expired",
    key: { status: ApiKeyStatus.DISABLED, expiresAt: timestampFromMs(0) },
    expect: "API_KEY_DISABLED",
  },
  {
    name: "expired beats quota",
    key: { expiresAt: timestampFromMs(0), quotaUsd: "1", quotaUsedUsd: "2" },
    expect: "API_KEY_EXPIRED",
  },
  { name: "IP blacklisted", key: { ipBlacklist: ["203.0.113.0/24"] }, expect: "ACCESS_DENIED" },
  { name: "IP not whitelisted", key: { ipWhitelist: ["198.51.100.0/24"] }, expect: "ACCESS_DENIED" },
  { name: "IP whitelisted", key: { ipWhitelist: ["203.0.113.7"] }, expect: "ok" },
  {
    name: "IPv6 client against v4 whitelist",
    key: { ipWhitelist: ["0.0.0.0/0"] },
    ip: "2001:db8::1",
    expect: "ACCESS_DENIED",
  },
  {
    name: "IP refusal comes before the user's balance",
    key: { ipBlacklist: ["203.0.113.7"] },
    user: { balanceUsd: "0" },
    expect: "ACCESS_DENIED",
  },
  {
    name: "quota comes before IP",
    key: { status: ApiKeyStatus.QUOTA_EXHAUSTED, ipBlacklist: ["0.0.0.0/0"] },
    expect: "API_KEY_QUOTA_EXHAUSTED",
  },
  { name: "user disabled", user: { status: UserStatus.DISABLED }, expect: "USER_DISABLED" },
  { name: "user missing", user: "missing", expect: "USER_DISABLED" },
  { name: "balance zero", user: { balanceUsd: "0" }, expect: "INSUFFICIENT_BALANCE" },
  { name: "balance negative", user: { balanceUsd: "-0.01" }, expect: "INSUFFICIENT_BALANCE" },
  { name: "balance garbled reads as zero", user: { balanceUsd: "ten" }, expect: "INSUFFICIENT_BALANCE" },
  { name: "balance tiny but positive", user: { balanceUsd: "0.000000000000000001" }, expect: "ok" },
  {
    name: "user disabled beats balance",
    user: { status: UserStatus.DISABLED, balanceUsd: "0" },
    expect: "USER_DISABLED",
  },
  { name: "group disabled", group: GroupStatus.DISABLED, expect: "GROUP_DISABLED" },
  { name: "group missing", group: "missing", expect: "GROUP_DISABLED" },
  {
    name: "balance beats group",
    user: { balanceUsd: "0" },
    group: GroupStatus.DISABLED,
    expect: "INSUFFICIENT_BALANCE",
  },
];

describe("checkKey", () => {
  it.each(rows)("$name -> $expect", (row) => {
    const user =
      row.user === "missing" ? undefined : compileUser(create(UserSchema, { ...activeUser, ...(row.user ?? {}) }));
    const group =
      row.group === "missing"
        ? undefined
        : create(GroupSchema, { ...activeGroup, status: row.group ?? GroupStatus.ACTIVE });
    const decision = checkKey(compileKey(key(row.key)), user, group, row.ip ?? "203.0.113.7", NOW);
    expect(decision.ok ? "ok" : decision.code).toBe(row.expect);
  });

  it("gives messages a client can act on", () => {
    const decision = checkKey(
      compileKey(key({ status: ApiKeyStatus.DISABLED })),
      compileUser(activeUser),
      activeGroup,
      "::1",
      NOW,
    );
    expect(decision).toEqual({ ok: false, code: "API_KEY_DISABLED", message: "API key is disabled" });
  });
});

describe("compileKey", () => {
  it("parses once what the request path compares", () => {
    const compiled = compileKey(
      key({
        quotaUsd: "12.5",
        quotaUsedUsd: "0.25",
        expiresAt: timestampFromMs(NOW + 1500),
        ipWhitelist: ["10.0.0.0/8", "::1"],
        ipBlacklist: ["10.0.0.1"],
      }),
    );
    expect(compiled.quota).toBe(12_500_000_000_000_000_000n);
    expect(compiled.quotaUsed).toBe(250_000_000_000_000_000n);
    expect(compiled.expiresAtMs).toBe(NOW + 1500);
    expect(compiled.whitelist).toHaveLength(2);
    expect(compiled.blacklist).toHaveLength(1);
    expect(compiled.record.id).toBe("k1");
  });

  it("reads no expiry and no quota as undefined", () => {
    const compiled = compileKey(key());
    expect(compiled.quota).toBeUndefined();
    expect(compiled.expiresAtMs).toBeUndefined();
  });
});
