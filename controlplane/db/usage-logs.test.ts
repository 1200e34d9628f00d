import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../test-support.js";
import { seedSyntheticUsage } from "../usage/synthetic-usage.js";
import { type Database, queryRows } from "./database.js";
import { listUsageLogs, type UsageLogFilter } from "./usage-logs.js";

// ListUsageLogs pages with one index range scan under each filter the admin uses, on PostgreSQL's own
// planner over enough rows for it to choose: no sort of the matching rows, first page or later; at
// most an incremental one of the rows that share a created_at.

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Presorted Key"?: string[];
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

describe("usage log paging", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await seedSyntheticUsage(database.db, { rows: 60_000, days: 10, keys: 100 });
  });
  afterAll(() => database?.close());

  const none: UsageLogFilter = { userId: "", apiKeyId: "", accountId: "", groupId: "", model: "" };
  const week = { startTime: new Date(Date.now() - 7 * 86_400_000), endTime: new Date() };
  it.each<[string, Partial<UsageLogFilter>, string]>([
    ["no filter", {}, "usage_logs_created_idx"],
    ["a time range", week, "usage_logs_created_idx"],
    ["a key", { apiKeyId: "syn-key-7" }, "usage_logs_key_idx"],
    ["a key and a time range", { apiKeyId: "syn-key-7", ...week }, "usage_logs_key_idx"],
    ["a user", { userId: "syn-user-3" }, "usage_logs_user_idx"],
    ["an account", { accountId: "syn-acct-4" }, "usage_logs_account_idx"],
    ["a group", { groupId: "syn-group-1" }, "usage_logs_group_idx"],
    ["a model", { model: "claude-haiku-4-5" }, "usage_logs_model_idx"],
  ])("%s", async (_name, filter, index) => {
    const first = await listUsageLogs(database.db, { ...none, ...filter }, 51);
    expect(first).toHaveLength(51);
    const last = first[50] as (typeof first)[number];
    const cursor = { createdAt: last.createdAt.toISOString(), requestId: last.requestId };
    for (const before of [undefined, cursor]) {
      const query = listUsageLogs(database.db, { ...none, ...filter }, 51, before);
      const [row] = await queryRows<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        database.db,
        sql`explain (format json) ${query}`,
      );
      expect(row).toBeDefined();
      const plan = nodes((row as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
      expect(plan.map((n) => n["Node Type"])).not.toContain("Sort");
      for (const sort of plan.filter((n) => n["Node Type"] === "Incremental Sort")) {
        expect(sort["Presorted Key"]).toEqual(["created_at"]);
      }
      expect(plan.map((n) => n["Index Name"])).toContain(index);
    }
    const next = await listUsageLogs(database.db, { ...none, ...filter }, 51, cursor);
    expect(next[0]?.createdAt.getTime()).toBeLessThanOrEqual(last.createdAt.getTime());
    expect(next.map((r) => r.requestId)).not.toContain(last.requestId);
  });
});
