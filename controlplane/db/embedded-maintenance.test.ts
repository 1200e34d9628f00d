import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/support/wait-for.js";
import type { Log } from "../context.js";
import { openTempPglite, startTestControlPlane, type TempPglite } from "../test-support.js";
import { pruneUsageLogs } from "../usage/retention.js";
import { seedSyntheticUsage } from "../usage/synthetic-usage.js";
import { queryRows } from "./database.js";

// The embedded PGlite has no autovacuum and no checkpointer (single-user PostgreSQL): without its
// Database.maintain passes, logs deleted by retention leave their space unused, every new log extends
// the file, and every WAL segment since start is kept.

const isStep = (line: Record<string, unknown>) => String(line.msg).endsWith("embedded table");
const isCheckpoint = (line: Record<string, unknown>) => line.msg === "checkpointed embedded database";

describe("vacuuming the embedded database", () => {
  let temp: TempPglite;
  const lines: Record<string, unknown>[] = [];
  const log: Log = (line) => lines.push(line);
  const never = new AbortController().signal;

  beforeAll(async () => {
    temp = await openTempPglite("vacuum");
  });
  afterAll(() => temp?.close());

  const usageLogs = async () => {
    const [row] = await queryRows<{ bytes: string; tuples: number }>(
      temp.database.db,
      sql`select pg_relation_size('usage_logs')::text as bytes, reltuples as tuples from pg_class where relname = 'usage_logs'`,
    );
    return { bytes: Number(row?.bytes), tuples: Number(row?.tuples) };
  };

  it("gives the space of pruned logs to new ones, and the planner statistics that say so", async () => {
    const end = new Date();
    // The seed analyzes what it wrote.
    await seedSyntheticUsage(temp.database.db, { rows: 20_000, days: 2, end, prefix: "old" });
    const seeded = await usageLogs();
    expect(seeded.tuples).toBeGreaterThan(0);

    expect(await pruneUsageLogs(temp.database.db, new Date(end.getTime() + 1), never)).toBe(20_000);
    await temp.database.maintain(log, never);
    expect(lines.filter(isStep).length).toBeGreaterThan(0);
    expect(lines).toContainEqual(expect.objectContaining({ table: "public.usage_logs", analyzed: true }));
    expect((await usageLogs()).tuples).toBe(0);

    await seedSyntheticUsage(temp.database.db, { rows: 20_000, days: 2, end, prefix: "new" });
    // Without the vacuum the table doubles: the new rows go after the dead ones.
    expect((await usageLogs()).bytes).toBeLessThan(seeded.bytes * 1.2);
  });

  it("leaves a database that has not changed alone", async () => {
    await temp.database.maintain(log, never);
    lines.length = 0;
    await temp.database.maintain(log, never);
    expect(lines.filter(isStep)).toHaveLength(0);
    expect(lines).toEqual([]);
  });
});

describe("checkpointing the embedded database", () => {
  let temp: TempPglite;
  const lines: Record<string, unknown>[] = [];
  const log: Log = (line) => lines.push(line);
  const never = new AbortController().signal;
  const checkpoints = () => lines.filter(isCheckpoint).length;
  beforeAll(async () => {
    temp = await openTempPglite("checkpoint");
    await temp.database.db.execute(sql`create table wal_filler (v text)`);
  });
  afterAll(() => temp?.close());

  const segments = async () => (await readdir(join(temp.dir, "pg_wal"))).filter((f) => /^[0-9A-F]{24}$/.test(f)).length;
  // About 80 MB of rows, and as much WAL.
  const write = () =>
    temp.database.db.execute(
      sql`insert into wal_filler select repeat(md5(g::text), 30) from generate_series(1, 80000) g`,
    );

  it("takes one once 64 MB of WAL are written, so the WAL stops growing", async () => {
    await temp.database.maintain(log, never);
    expect(checkpoints()).toBe(0);
    await write();
    await temp.database.maintain(log, never);
    expect(checkpoints()).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "checkpointed embedded database" }));
    await temp.database.maintain(log, never);
    expect(checkpoints()).toBe(1);
    const after = await segments();
    // Unchecked, each round keeps five more 16 MB segments.
    for (let round = 0; round < 3; round++) {
      await write();
      await temp.database.maintain(log, never);
    }
    expect(await segments()).toBeLessThanOrEqual(after + 1);
  });
});

describe("the control plane's maintenance timer", () => {
  it.each(["pglite", "postgres"] as const)("runs on %s only when that is the embedded database", async (backend) => {
    const lines: Record<string, unknown>[] = [];
    const cp = await startTestControlPlane(backend, {
      log: (line) => lines.push(line),
      embeddedMaintenanceEveryMs: 20,
    });
    const vacuumed = () => lines.filter(isStep);
    try {
      // More than autovacuum's 50 changes to analyze an empty table.
      for (let i = 0; i < 60; i++) await cp.admin.users.createUser({ email: `vacuum-${i}@example.com` });
      if (backend === "pglite") {
        await waitFor(() => vacuumed().length > 0, "a vacuum or analyze of the embedded database");
      } else {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(vacuumed()).toEqual([]);
      }
    } finally {
      await cp.close();
    }
  });
});
