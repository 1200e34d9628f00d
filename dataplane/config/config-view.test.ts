import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  AccountSchema,
  ApiKeySchema,
  ConfigUpdateSchema,
  GroupSchema,
  ModelPriceSchema,
  type Resource,
  ResourceKind,
  ResourceSchema,
  UserSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { applyConfigUpdate, EMPTY_CONFIG, findInconsistencies } from "./config-view.js";

const user = create(UserSchema, { id: "u1", balanceUsd: "10" });
const group = create(GroupSchema, { id: "g1", name: "g", platform: Platform.ANTHROPIC });
const key = create(ApiKeySchema, { id: "k1", userId: "u1", groupId: "g1", secretHash: "h1" });
const accountB = create(AccountSchema, { id: "b", groupIds: ["g1"], priority: 1 });
const accountA = create(AccountSchema, { id: "a", groupIds: ["g1"], priority: 1 });
const accountHigh = create(AccountSchema, { id: "c", groupIds: ["g1"], priority: 0 });
const price = create(ModelPriceSchema, { model: "claude-*", inputPerMtok: "3" });

function snapshot(version: bigint) {
  return create(ConfigUpdateSchema, {
    version,
    snapshot: true,
    upserts: [
      { resource: { case: "user", value: user } },
      { resource: { case: "group", value: group } },
      { resource: { case: "apiKey", value: key } },
      { resource: { case: "account", value: accountB } },
      { resource: { case: "account", value: accountA } },
      { resource: { case: "account", value: accountHigh } },
      { resource: { case: "modelPrice", value: price } },
    ].map((r) => create(ResourceSchema, r as never)),
  });
}

/** A delta of one version that upserts one resource. */
function upsert(version: bigint, resource: Resource["resource"]) {
  return create(ConfigUpdateSchema, { version, upserts: [create(ResourceSchema, { resource })] });
}

describe("applyConfigUpdate", () => {
  it("builds a view from a snapshot, indexed for the hot path", () => {
    const view = applyConfigUpdate(EMPTY_CONFIG, snapshot(5n));
    expect(view.version).toBe(5n);
    expect(view.keysByHash.get("h1")?.id).toBe("k1");
    expect(view.accountsByGroup.get("g1")?.map((a) => a.id)).toEqual(["c", "a", "b"]);
    expect(view.prices.get("claude-*")?.inputPerMtok).toBe("3");
    expect(findInconsistencies(view)).toEqual([]);
  });

  it("applies a delta without touching the previous view", () => {
    const v1 = applyConfigUpdate(EMPTY_CONFIG, snapshot(5n));
    const disabled = create(ApiKeySchema, { ...key, name: "renamed" });
    const v2 = applyConfigUpdate(
      v1,
      create(ConfigUpdateSchema, {
        version: 6n,
        upserts: [create(ResourceSchema, { resource: { case: "apiKey", value: disabled } })],
        deletes: [{ kind: ResourceKind.ACCOUNT, id: "c" }],
      }),
    );
    expect(v2.version).toBe(6n);
    expect(v2.keysByHash.get("h1")?.name).toBe("renamed");
    expect(v2.accountsByGroup.get("g1")?.map((a) => a.id)).toEqual(["a", "b"]);
    expect(v1.keysByHash.get("h1")?.name).toBe("");
    expect(v1.accounts.has("c")).toBe(true);
  });

  it("keeps the version that last changed an account, for routing hints (known-bindings.ts)", () => {
    const v5 = applyConfigUpdate(EMPTY_CONFIG, snapshot(5n));
    expect(v5.accountsVersion).toBe(5n);
    const renamed = create(ApiKeySchema, { ...key, name: "renamed" });
    const v6 = applyConfigUpdate(v5, upsert(6n, { case: "apiKey", value: renamed }));
    expect(v6.accountsVersion).toBe(5n);
    const moved = create(AccountSchema, { ...accountA, groupIds: [] });
    const v7 = applyConfigUpdate(v6, upsert(7n, { case: "account", value: moved }));
    expect(v7.accountsVersion).toBe(7n);
  });

  it("finds a key by its new secret only once the secret changed, and by none once deleted", () => {
    const v1 = applyConfigUpdate(EMPTY_CONFIG, snapshot(5n));
    const rotated = create(ApiKeySchema, { ...key, secretHash: "h2" });
    const v2 = applyConfigUpdate(v1, upsert(6n, { case: "apiKey", value: rotated }));
    expect(v2.keysByHash.has("h1")).toBe(false);
    expect(v2.keysByHash.get("h2")?.id).toBe("k1");
    expect(v2.accountsByGroup.get("g1")?.map((a) => a.id)).toEqual(["c", "a", "b"]);
    const v3 = applyConfigUpdate(
      v2,
      create(ConfigUpdateSchema, { version: 7n, deletes: [{ kind: ResourceKind.API_KEY, id: "k1" }] }),
    );
    expect(v3.keysByHash.size).toBe(0);
    expect(v3.keysById.size).toBe(0);
    expect(v2.keysByHash.get("h2")?.id).toBe("k1");
    expect(v1.keysByHash.get("h1")?.id).toBe("k1");
  });

  it("a snapshot replaces everything held before", () => {
    const v1 = applyConfigUpdate(
      EMPTY_CONFIG,
      create(ConfigUpdateSchema, {
        version: 1n,
        snapshot: true,
        upserts: [create(ResourceSchema, { resource: { case: "user", value: create(UserSchema, { id: "gone" }) } })],
      }),
    );
    const v2 = applyConfigUpdate(v1, snapshot(9n));
    expect(v2.users.has("gone")).toBe(false);
    expect(v2.users.has("u1")).toBe(true);
  });

  it("reports dangling references", () => {
    const view = applyConfigUpdate(
      EMPTY_CONFIG,
      create(ConfigUpdateSchema, {
        version: 1n,
        snapshot: true,
        upserts: [create(ResourceSchema, { resource: { case: "apiKey", value: key } })],
      }),
    );
    expect(findInconsistencies(view)).toEqual(["api key k1: user u1 missing", "api key k1: group g1 missing"]);
  });

  it("reports what a delta left dangling: a key it added, or a key whose user it deleted", () => {
    const v1 = applyConfigUpdate(EMPTY_CONFIG, snapshot(5n));
    const stray = create(ApiKeySchema, { id: "k2", userId: "nobody", groupId: "g1", secretHash: "h2" });
    const added = create(ConfigUpdateSchema, {
      version: 6n,
      upserts: [
        create(ResourceSchema, { resource: { case: "apiKey", value: stray } }),
        create(ResourceSchema, {
          resource: { case: "user", value: create(UserSchema, { id: "u1", balanceUsd: "9" }) },
        }),
      ],
    });
    expect(findInconsistencies(applyConfigUpdate(v1, added), added)).toEqual(["api key k2: user nobody missing"]);
    const deleted = create(ConfigUpdateSchema, { version: 7n, deletes: [{ kind: ResourceKind.USER, id: "u1" }] });
    expect(findInconsistencies(applyConfigUpdate(v1, deleted), deleted)).toEqual(["api key k1: user u1 missing"]);
  });
});
