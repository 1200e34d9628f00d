import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageGroupBy } from "../../gen/tollgate/admin/v1/usage_pb.js";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { waitFor } from "../../test/support/wait-for.js";
import { type Database, openDatabase, queryRows } from "../db/database.js";
import { deleteUsageLogsBefore } from "../db/usage-logs.js";
import { startTestControlPlane } from "../test-support.js";
import { pruneUsageLogs } from "./retention.js";
import { seedSyntheticUsage } from "./synthetic-usage.js";
import { DAY_MS, floorTo } from "./utc-buckets.js";

// TOLLGATE_USAGE_RETENTION_DAYS on real PostgreSQL: old raw logs go in bounded batches, the rollups
// keep the history they summed.

describe("usage log retention", () => {
  let test: TestDatabase;
  let database: Database;
  const end = floorTo(new Date(), DAY_MS);
  beforeAll(async () => {
    test = await createTestDatabase();
    database = await openDatabase({ databaseUrl: test.url, pgliteDir: "" });
  });
  afterAll(async () => {
    await database?.close();
    await test?.drop();
  });

  const count = async (condition = sql`true`) => {
    const [row] = await queryRows<{ n: string }>(
      database.db,
      sql`select count(*)::text as n from usage_logs where ${condition}`,
    );
    return Number(row?.n);
  };

  it("deletes only logs older than the cutoff, a bounded batch at a time", async () => {
    await seedSyntheticUsage(database.db, { rows: 3_000, days: 10, end, prefix: "batch" });
    const before = new Date(end.getTime() - 4 * DAY_MS);
    const old = await count(sql`created_at < ${before.toISOString()}::timestamptz`);
    expect(old).toBeGreaterThan(1_000);
    expect(await deleteUsageLogsBefore(database.db, before, 100)).toBe(100);
    expect(await count(sql`created_at < ${before.toISOString()}::timestamptz`)).toBe(old - 100);
    expect(await pruneUsageLogs(database.db, before, new AbortController().signal, 250)).toBe(old - 100);
    expect(await count(sql`created_at < ${before.toISOString()}::timestamptz`)).toBe(0);
    expect(await count()).toBe(3_000 - old);
  });

  it("prunes on start with the retention setting, and stats over whole days keep every day", async () => {
    await seedSyntheticUsage(database.db, { rows: 2_000, days: 10, end, prefix: "kept" });
    const keeping = await startTestControlPlane("postgres", { databaseUrl: test.url });
    const dailyBefore = await keeping.admin.usage.getUsageStats({ groupBy: UsageGroupBy.DAY });
    await keeping.close();
    const logsBefore = await count();

    const cp = await startTestControlPlane("postgres", { databaseUrl: test.url, usageRetentionDays: 3 });
    try {
      const cutoff = end.getTime() - 3 * DAY_MS;
      await waitFor(
        async () => (await count(sql`created_at < ${new Date(cutoff).toISOString()}::timestamptz`)) === 0,
        "old usage logs to be pruned",
        20_000,
      );
      expect(await count()).toBeLessThan(logsBefore);
      expect(dailyBefore.buckets.length).toBeGreaterThanOrEqual(10);
      expect(await cp.admin.usage.getUsageStats({ groupBy: UsageGroupBy.DAY })).toEqual(dailyBefore);
      const { logs } = await cp.admin.usage.listUsageLogs({ pageSize: 500 });
      expect(logs.every((l) => Number(l.createdAt?.seconds) * 1000 >= cutoff - 1000)).toBe(true);
    } finally {
      await cp.close();
    }
  });
});
