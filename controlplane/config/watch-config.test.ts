import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountStatus, AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  type Account,
  type ApiKey,
  type ConfigUpdate,
  type Group,
  type ModelPrice,
  ResourceKind,
  type UsageBatch,
  UsageBatchSchema,
  type User,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { openDatabase } from "../db/database.js";
import { must, startTestControlPlane, type TestControlPlane, unique, watchConfig } from "../test-support.js";
import { pruneTombstones } from "./versions.js";

// WatchConfig on real PostgreSQL: snapshot, deltas as changes commit, known_version semantics, and
// changes made through another control-plane replica (LISTEN/NOTIFY).

interface Kinds {
  apiKey: ApiKey;
  user: User;
  group: Group;
  account: Account;
  modelPrice: ModelPrice;
}

function upserts<C extends keyof Kinds>(update: ConfigUpdate, kind: C): Kinds[C][] {
  return update.upserts.flatMap((u) => (u.resource.case === kind ? [u.resource.value as Kinds[C]] : []));
}

function ids(update: ConfigUpdate): string[] {
  return update.upserts.map(({ resource: r }) => (r.case === "modelPrice" ? r.value.model : (r.value?.id ?? "")));
}

describe("WatchConfig", () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres");
  });
  afterAll(() => cp?.close());

  async function fixture() {
    const user = must((await cp.admin.users.createUser({ email: `${unique("w")}@e.com`, balanceUsd: "5" })).user);
    const group = must((await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.ANTHROPIC })).group);
    const created = await cp.admin.keys.createApiKey({
      userId: user.id,
      groupId: group.id,
      ipWhitelist: ["10.0.0.0/8"],
    });
    const account = must(
      (
        await cp.admin.accounts.createAccount({
          name: unique("a"),
          platform: Platform.ANTHROPIC,
          type: AccountType.OAUTH,
          groupIds: [group.id],
          credentials: { accessToken: "at-1", refreshToken: "rt-1" },
        })
      ).account,
    );
    return { user, group, key: must(created.apiKey), secret: created.secret, account };
  }

  /** The current version, read from a fresh snapshot. */
  async function currentVersion(): Promise<bigint> {
    const watch = watchConfig(cp.plane, 0n);
    const snapshot = await watch.next();
    watch.stop();
    return snapshot.version;
  }

  it("sends a full snapshot, then each change as a delta", async () => {
    const { user, group, key, secret, account } = await fixture();
    const watch = watchConfig(cp.plane, 0n);
    try {
      const snapshot = await watch.next();
      expect(snapshot.snapshot).toBe(true);
      const hash = createHash("sha256").update(secret).digest("hex");
      expect(upserts(snapshot, "apiKey").find((k) => k.id === key.id)).toMatchObject({
        secretHash: hash,
        userId: user.id,
        groupId: group.id,
        quotaUsd: "0",
        ipWhitelist: ["10.0.0.0/8"],
      });
      expect(upserts(snapshot, "user").find((u) => u.id === user.id)).toMatchObject({ balanceUsd: "5" });
      expect(upserts(snapshot, "group").find((g) => g.id === group.id)).toMatchObject({ rateMultiplier: "1" });
      expect(upserts(snapshot, "account").find((a) => a.id === account.id)).toMatchObject({
        accessToken: "at-1",
        refreshToken: "rt-1",
        baseUrl: "https://api.anthropic.com",
        groupIds: [group.id],
        status: AccountStatus.ACTIVE,
      });
      expect(upserts(snapshot, "modelPrice").find((p) => p.model === "claude-sonnet-4*")).toMatchObject({
        inputPerMtok: "3",
        cacheReadPerMtok: "0.3",
      });

      await cp.admin.users.adjustBalance({ userId: user.id, amountUsd: "2.5", reason: "test" });
      const balance = await watch.next();
      expect(balance.snapshot).toBe(false);
      expect(balance.version).toBeGreaterThan(snapshot.version);
      expect(balance.upserts).toHaveLength(1);
      expect(upserts(balance, "user")).toMatchObject([{ id: user.id, balanceUsd: "7.5" }]);

      await cp.admin.keys.deleteApiKey({ id: key.id });
      const deleted = await watch.next();
      expect(deleted.version).toBeGreaterThan(balance.version);
      expect(deleted.deletes).toMatchObject([{ kind: ResourceKind.API_KEY, id: key.id }]);

      const price = {
        model: "claude-sonnet-4*",
        inputPerMtok: "1",
        outputPerMtok: "2",
        cacheWritePerMtok: "3",
        cacheReadPerMtok: "4",
      };
      await cp.admin.pricing.setModelPrice({ price });
      expect(upserts(await watch.next(), "modelPrice")).toMatchObject([
        { model: "claude-sonnet-4*", inputPerMtok: "1" },
      ]);
      await cp.admin.pricing.deleteModelPrice({ model: "claude-sonnet-4*" });
      const reverted = await watch.next();
      expect(reverted.deletes).toEqual([]);
      expect(upserts(reverted, "modelPrice")).toMatchObject([{ model: "claude-sonnet-4*", inputPerMtok: "3" }]);

      await cp.admin.keys.createApiKey({ userId: user.id, groupId: group.id });
      await cp.admin.groups.updateGroup({ id: group.id, rateMultiplier: "2" });
      // Two quick changes may reach the watcher as one delta: its read can begin after both committed.
      const first = await watch.next();
      const later = upserts(first, "group").length > 0 ? [first] : [first, await watch.next()];
      expect(later.flatMap((update) => upserts(update, "apiKey"))).toHaveLength(1);
      expect(later.flatMap((update) => upserts(update, "group"))).toMatchObject([
        { id: group.id, rateMultiplier: "2" },
      ]);
    } finally {
      watch.stop();
    }
  });

  it("sends account runtime changes: rejected credentials, cleared state, refreshed tokens, deleted groups", async () => {
    const { account, group, key } = await fixture();
    const watch = watchConfig(cp.plane, await currentVersion());
    try {
      await cp.plane.reportAccountState({
        accountId: account.id,
        state: { lastError: "401" },
        credentialsRejected: true,
      });
      expect(upserts(await watch.next(), "account")).toMatchObject([
        { id: account.id, status: AccountStatus.ERROR, stateEpoch: 0n },
      ]);

      await cp.admin.accounts.clearAccountState({ id: account.id });
      expect(upserts(await watch.next(), "account")).toMatchObject([
        { id: account.id, status: AccountStatus.ACTIVE, stateEpoch: 1n },
      ]);

      const expiresAt = timestampFromDate(new Date("2030-01-01T00:00:00Z"));
      await cp.plane.persistOAuthToken({ accountId: account.id, accessToken: "at-2", expiresAt });
      expect(upserts(await watch.next(), "account")).toMatchObject([
        { id: account.id, accessToken: "at-2", refreshToken: "rt-1", tokenExpiresAt: expiresAt },
      ]);

      await cp.admin.keys.deleteApiKey({ id: key.id });
      await watch.next();
      await cp.admin.groups.deleteGroup({ id: group.id });
      const groupGone = await watch.next();
      expect(groupGone.deletes).toMatchObject([{ kind: ResourceKind.GROUP, id: group.id }]);
      expect(upserts(groupGone, "account")).toMatchObject([{ id: account.id, groupIds: [] }]);
    } finally {
      watch.stop();
    }
  });

  /** Bills 100k output tokens of claude-sonnet-4-5 ($1.50) to the key; resolves once acked (published). */
  async function bill({ user, group, key }: Awaited<ReturnType<typeof fixture>>): Promise<void> {
    const batches = (async function* (): AsyncGenerator<UsageBatch> {
      yield create(UsageBatchSchema, {
        batchId: 7n,
        records: [
          {
            requestId: unique("r"),
            apiKeyId: key.id,
            userId: user.id,
            groupId: group.id,
            model: "claude-sonnet-4-5",
            outputTokens: 100_000n,
          },
        ],
      });
    })();
    for await (const _ack of cp.plane.reportUsage(batches)) {
      // drain
    }
  }

  it("sends the new quota used and balance after usage is billed", async () => {
    const billedTo = await fixture();
    const { user, key } = billedTo;
    const watch = watchConfig(cp.plane, await currentVersion());
    try {
      await bill(billedTo);
      const billed = await watch.next();
      expect(upserts(billed, "apiKey")).toMatchObject([{ id: key.id, quotaUsedUsd: "1.5" }]);
      expect(upserts(billed, "user")).toMatchObject([{ id: user.id, balanceUsd: "3.5" }]);
    } finally {
      watch.stop();
    }
  });

  describe("known_version", () => {
    it("sends nothing to a current data plane until something changes", async () => {
      const version = await currentVersion();
      const watch = watchConfig(cp.plane, version);
      try {
        const group = must((await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.OPENAI })).group);
        const first = await watch.next();
        expect(first.snapshot).toBe(false);
        expect(first.version).toBeGreaterThan(version);
        expect(ids(first)).toEqual([group.id]);
      } finally {
        watch.stop();
      }
    });

    it("sends a data plane that is behind only what changed since its version", async () => {
      const version = await currentVersion();
      const group = must((await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.GEMINI })).group);
      const user = must((await cp.admin.users.createUser({ email: `${unique("k")}@e.com` })).user);
      const watch = watchConfig(cp.plane, version);
      try {
        const delta = await watch.next();
        expect(delta.snapshot).toBe(false);
        expect(ids(delta).sort()).toEqual([group.id, user.id].sort());
      } finally {
        watch.stop();
      }
    });

    it("sends a data plane behind a config change and a usage stamp both", async () => {
      const billed = await fixture();
      const version = await currentVersion();
      await cp.admin.groups.updateGroup({ id: billed.group.id, claudeCodeOnly: true });
      await bill(billed);
      const watch = watchConfig(cp.plane, version);
      try {
        const delta = await watch.next();
        expect(upserts(delta, "group")).toMatchObject([{ id: billed.group.id, claudeCodeOnly: true }]);
        expect(upserts(delta, "apiKey")).toMatchObject([{ id: billed.key.id, quotaUsedUsd: "1.5" }]);
      } finally {
        watch.stop();
      }
    });

    it("sends a snapshot for a version this database never issued", async () => {
      const version = await currentVersion();
      const watch = watchConfig(cp.plane, version + 1000n);
      try {
        const update = await watch.next();
        expect(update.snapshot).toBe(true);
        expect(update.version).toBe(version);
      } finally {
        watch.stop();
      }
    });
  });

  it("sends a snapshot to a data plane older than the pruned tombstones", async () => {
    const group = must((await cp.admin.groups.createGroup({ name: unique("gone"), platform: Platform.OPENAI })).group);
    const before = await currentVersion();
    await cp.admin.groups.deleteGroup({ id: group.id });
    const database = await openDatabase({ databaseUrl: cp.databaseUrl, pgliteDir: "" });
    try {
      await pruneTombstones(database.db, new Date(Date.now() + 60_000));
    } finally {
      await database.close();
    }
    const watch = watchConfig(cp.plane, before);
    try {
      const update = await watch.next();
      expect(update.snapshot).toBe(true);
      expect(upserts(update, "group").map((g) => g.id)).not.toContain(group.id);
    } finally {
      watch.stop();
    }
  });

  it("delivers a change made through another control plane on the same database", async () => {
    const other = await startTestControlPlane("postgres", { databaseUrl: cp.databaseUrl });
    try {
      const watch = watchConfig(other.plane, 0n);
      try {
        const snapshot = await watch.next();
        expect(snapshot.snapshot).toBe(true);
        const group = must(
          (await cp.admin.groups.createGroup({ name: unique("remote"), platform: Platform.ANTHROPIC })).group,
        );
        const delta = await watch.next();
        expect(delta.snapshot).toBe(false);
        expect(upserts(delta, "group")).toMatchObject([{ id: group.id }]);
      } finally {
        watch.stop();
      }
    } finally {
      await other.close();
    }
  });
});
