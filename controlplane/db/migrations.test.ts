import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { openDatabase, queryRows } from "./database.js";

describe("migrations", () => {
  let database: TestDatabase | undefined;
  afterAll(() => database?.drop());

  it("build the schema on an empty PostgreSQL database, and run again as a no-op", async () => {
    database = await createTestDatabase();
    for (let run = 0; run < 2; run++) {
      const opened = await openDatabase({ databaseUrl: database.url, pgliteDir: "" });
      try {
        const tables = await queryRows<{ name: string }>(
          opened.db,
          sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
        );
        expect(tables.map((t) => t.name)).toEqual([
          "account_groups",
          "accounts",
          "api_keys",
          "audit_events",
          "config_head",
          "config_tombstones",
          "groups",
          "model_prices",
          "usage_account_daily",
          "usage_account_hourly",
          "usage_key_daily",
          "usage_key_hourly",
          "usage_logs",
          "usage_model_daily",
          "usage_model_hourly",
          "users",
        ]);
      } finally {
        await opened.close();
      }
    }
  });
});
