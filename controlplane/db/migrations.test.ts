import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { openDatabase, queryRows } from "./database.js";

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies the migrations before `tag` only, as an earlier release left the database. */
async function migrateBefore(url: string, tag: string): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), "tollgate-migrations-"));
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await cp(MIGRATIONS, folder, { recursive: true });
    const journalPath = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((entry) => entry.tag === tag);
    expect(at).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    await writeFile(journalPath, JSON.stringify(journal));
    await migrate(drizzle({ client }), { migrationsFolder: folder });
  } finally {
    await client.end();
    await rm(folder, { recursive: true, force: true });
  }
}

describe("migrations", () => {
  let database: TestDatabase | undefined;
  let upgraded: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
    await upgraded?.drop();
  });

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

  it("count every version before config_version was recorded as a config change", async () => {
    upgraded = await createTestDatabase();
    await migrateBefore(upgraded.url, "0006_config_head_config_version");
    const client = postgres(upgraded.url, { max: 1 });
    try {
      await client`insert into config_head (id, version) values (1, 42)`;
    } finally {
      await client.end();
    }
    const opened = await openDatabase({ databaseUrl: upgraded.url, pgliteDir: "" });
    try {
      const [head] = await queryRows<{ version: string; config_version: string }>(
        opened.db,
        sql`select version::text, config_version::text from config_head`,
      );
      // A data plane between an old config change and 42 must still be sent everything since its version.
      expect(head).toEqual({ version: "42", config_version: "42" });
    } finally {
      await opened.close();
    }
  });
});
