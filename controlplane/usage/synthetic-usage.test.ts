import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../db/database.js";
import { openTestDatabase } from "../test-support.js";
import { GRAINS, PERIODS, rollupTable } from "./rollup-grains.js";
import { seedSyntheticUsage } from "./synthetic-usage.js";

describe("seedSyntheticUsage", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database?.close());

  const sums = (table: string, requests: string) =>
    queryRows<{ s: string }>(
      database.db,
      sql`select concat_ws(' ', ${sql.raw(requests)}, sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
            sum(cache_read_tokens), sum(cost), sum(actual_cost), sum(duration_ms)) as s from ${sql.raw(table)}`,
    );

  it("writes the rows asked for over the days asked for, with every rollup equal to them", async () => {
    const end = new Date("2026-05-01T00:00:00Z");
    const first = await seedSyntheticUsage(database.db, { rows: 4_000, days: 5, end, keys: 20, prefix: "a" });
    await seedSyntheticUsage(database.db, { rows: 1_500, days: 5, end, keys: 20, prefix: "b" });
    const [range] = await queryRows<{ n: string; first: string; last: string }>(
      database.db,
      sql`select count(*)::text as n, min(created_at)::text as first, max(created_at)::text as last from usage_logs`,
    );
    expect(range?.n).toBe("5500");
    expect(new Date(range?.first ?? "").getTime()).toBeGreaterThan(first.start.getTime());
    expect(new Date(range?.last ?? "").getTime()).toBeLessThanOrEqual(end.getTime());
    const [logs] = await sums("usage_logs", "count(*)");
    for (const grain of GRAINS) {
      for (const period of PERIODS) {
        expect(await sums(rollupTable(grain, period), "sum(requests)"), `${grain} ${period}`).toEqual([logs]);
      }
    }
  });
});
