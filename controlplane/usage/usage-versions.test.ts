import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  type ConfigUpdate,
  type UsageAck,
  UsageBatchSchema,
  UsageRecordSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { waitFor } from "../../test/support/wait-for.js";
import { CONFIG_CHANNEL, lockConfig, parseChangeNotice, readConfigHead } from "../config/versions.js";
import { type Database, openDatabase, queryRows } from "../db/database.js";
import {
  must,
  planeClient,
  planeTransport,
  startTestControlPlane,
  type TestControlPlane,
  unique,
  watchConfig,
} from "../test-support.js";
import { readBillingRates } from "./billing-rates.js";
import { applyUsageBatches } from "./ingest.js";

// Usage is applied without the config lock and published to data planes by a coalesced version stamp
// (usage-versions.ts), on real PostgreSQL where locks are real.

type RecordInit = MessageInitShape<typeof UsageRecordSchema>;

describe("usage versions", () => {
  let cp: TestControlPlane;
  let database: Database;
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres");
    database = await openDatabase({ databaseUrl: cp.databaseUrl, pgliteDir: "" });
  });
  afterAll(async () => {
    await database?.close();
    await cp?.close();
  });

  async function fixture() {
    const user = must((await cp.admin.users.createUser({ email: `${unique("v")}@e.com`, balanceUsd: "10" })).user);
    const group = must((await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.ANTHROPIC })).group);
    const key = must((await cp.admin.keys.createApiKey({ userId: user.id, groupId: group.id })).apiKey);
    // 100,000 output tokens of claude-sonnet-4-5 at $15/MTok: $1.5 a record.
    const record = (): RecordInit => ({
      requestId: unique("r"),
      apiKeyId: key.id,
      userId: user.id,
      groupId: group.id,
      accountId: "acct",
      model: "claude-sonnet-4-5",
      outputTokens: 100_000n,
    });
    return { user, key, record };
  }

  const keyOf = (update: ConfigUpdate) =>
    update.upserts.flatMap((u) => (u.resource.case === "apiKey" ? [u.resource.value] : []));
  const userOf = (update: ConfigUpdate) =>
    update.upserts.flatMap((u) => (u.resource.case === "user" ? [u.resource.value] : []));

  async function logCount(keyId: string): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      database.db,
      sql`select count(*)::text as n from usage_logs where api_key_id = ${keyId}`,
    );
    return Number(row?.n);
  }

  it("applies batches while the config lock is held, and publishes them all in one version after", async () => {
    const { user, key, record } = await fixture();
    const headBefore = (await readConfigHead(database.db)).version;
    const watch = watchConfig(cp.plane, BigInt(headBefore));
    let release: () => void = () => {};
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = database.db.transaction(async (tx) => {
      await lockConfig(tx);
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    try {
      await isLocked;
      const acks: UsageAck[] = [];
      const streams = Array.from({ length: 6 }, async (_, i) => {
        const client = planeClient(planeTransport(cp.running.planeUrl));
        const batches = (async function* () {
          yield create(UsageBatchSchema, { batchId: BigInt(i), records: [record()] });
        })();
        for await (const ack of client.reportUsage(batches)) acks.push(ack);
      });
      // Every batch commits although a config change holds the lock...
      await waitFor(async () => (await logCount(key.id)) >= 6, "the usage batches to commit under the config lock");
      // ...but none is acked before its billing is published.
      expect(acks).toEqual([]);
      release();
      await holder;
      await Promise.all(streams);
      expect(acks.map((a) => a.applied)).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      release();
      await holder;
    }
    try {
      const update = await watch.next();
      expect(keyOf(update)).toMatchObject([{ id: key.id, quotaUsedUsd: "9" }]);
      expect(userOf(update)).toMatchObject([{ id: user.id, balanceUsd: "1" }]);
      expect((await readConfigHead(database.db)).version).toBe(Number(update.version));
      expect(Number(update.version)).toBe(headBefore + 1);
    } finally {
      watch.stop();
    }
  });

  it("announces a usage stamp with the last config change below it, so other replicas' caches stay put", async () => {
    const notices: Array<string | undefined> = [];
    const unlisten = await database.listen(CONFIG_CHANNEL, (payload) => notices.push(payload));
    try {
      const { record } = await fixture();
      const configVersion = (await readConfigHead(database.db)).version;
      const client = planeClient(planeTransport(cp.running.planeUrl));
      const batches = (async function* () {
        yield create(UsageBatchSchema, { batchId: 1n, records: [record()] });
      })();
      for await (const ack of client.reportUsage(batches)) expect(ack.applied).toBe(1);
      const stamp = (await readConfigHead(database.db)).version;
      expect(stamp).toBeGreaterThan(configVersion);
      await waitFor(
        () => notices.some((n) => parseChangeNotice(n).version === stamp),
        `the notice of version ${stamp}`,
      );
      expect(notices).toContain(`${stamp} usage ${configVersion}`);
    } finally {
      await unlisten();
    }
  });

  it("publishes, on start, billing that a stopped control plane committed but never published", async () => {
    const { user, key, record } = await fixture();
    const headBefore = (await readConfigHead(database.db)).version;
    const watch = watchConfig(cp.plane, BigInt(headBefore));
    try {
      // What ReportUsage does before it waits for the publication: the process "stops" right after.
      const records = [create(UsageRecordSchema, record()), create(UsageRecordSchema, record())];
      expect(
        await applyUsageBatches(
          database.db,
          () => readBillingRates(database.db),
          () => {},
          [records],
          0,
        ),
      ).toEqual([{ applied: 2, duplicates: 0 }]);
      const marked = await queryRows<{ pending: boolean }>(
        database.db,
        sql`select usage_pending as pending from api_keys where id = ${key.id}
            union all select usage_pending from users where id = ${user.id}`,
      );
      expect(marked.map((m) => m.pending)).toEqual([true, true]);
      expect((await readConfigHead(database.db)).version).toBe(headBefore);

      const replacement = await startTestControlPlane("postgres", { databaseUrl: cp.databaseUrl });
      await replacement.close();
      const update = await watch.next();
      expect(keyOf(update)).toMatchObject([{ id: key.id, quotaUsedUsd: "3" }]);
      expect(userOf(update)).toMatchObject([{ id: user.id, balanceUsd: "7" }]);
    } finally {
      watch.stop();
    }
  });
});
