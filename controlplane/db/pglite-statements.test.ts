import { PGlite } from "@electric-sql/pglite";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTempPglite, preparedStatements, type TempPglite } from "../test-support.js";
import { type Executor, queryRows } from "./database.js";
import { MAX_STATEMENTS, PgliteStatements } from "./pglite-statements.js";
import { users } from "./schema/index.js";

// The embedded database (`tollgate start`) runs every query as a named statement on PGlite's one
// connection (pglite-statements.ts).

describe("PGlite statements", () => {
  let temp: TempPglite;
  beforeAll(async () => {
    temp = await openTempPglite("pglite-statements");
  });
  afterAll(() => temp?.close());

  it.each<[string, (run: (ex: Executor) => Promise<void>) => Promise<void>]>([
    ["outside a transaction", (run) => run(temp.database.db)],
    ["in a transaction", (run) => temp.database.db.transaction(run)],
    ["in a nested transaction (savepoint)", (run) => temp.database.db.transaction((tx) => tx.transaction(run))],
  ])("are prepared once %s, each run with its own parameters", async (name, within) => {
    await within(async (ex) => {
      for (const n of [1, 2, 3]) {
        const rows = await queryRows<{ v: number; t: string }>(
          ex,
          sql`select ${n}::int + 1 as v, ${`${name} ${n}`}::text as t, ${null}::text as absent`,
        );
        expect(rows).toEqual([{ v: n + 1, t: `${name} ${n}`, absent: null }]);
      }
      expect(await preparedStatements(ex, "select $1::int + 1 as v")).toHaveLength(1);
    });
  });

  it("write and read every column type a user row holds", async () => {
    const createdAt = new Date("2026-01-02T03:04:05.678Z");
    const row = {
      id: "usr_types",
      email: "types@example.com",
      name: "Types",
      status: "disabled",
      balance: "12.345678",
      concurrency: 7,
      usagePending: true,
      version: 42,
      createdAt,
      updatedAt: createdAt,
    };
    await temp.database.db.insert(users).values(row);
    const [read] = await temp.database.db.select().from(users).where(eq(users.id, row.id));
    // numeric(38, 18) reads back at its full scale.
    expect(read).toEqual({ ...row, balance: "12.345678000000000000" });
  });

  it("leave nothing of a failed transaction, and the same statements run again after it", async () => {
    const insert = (ex: Executor, id: string, email: string) => ex.insert(users).values({ id, email, version: 1 });
    await insert(temp.database.db, "usr_first", "first@example.com");
    const failed = await temp.database.db
      .transaction(async (tx) => {
        await insert(tx, "usr_second", "second@example.com");
        await insert(tx, "usr_third", "first@example.com");
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    let cause: unknown = failed;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    expect((cause as { code?: string }).code).toBe("23505");
    await insert(temp.database.db, "usr_fourth", "fourth@example.com");
    const ids = await temp.database.db
      .select({ id: users.id })
      .from(users)
      .where(inArray(users.id, ["usr_first", "usr_second", "usr_third", "usr_fourth"]));
    expect(ids.map((r) => r.id).sort()).toEqual(["usr_first", "usr_fourth"]);
  });

  it("refuse a query on a transaction that has ended", async () => {
    let ended: Executor | undefined;
    await temp.database.db.transaction(async (tx) => {
      ended = tx;
    });
    await expect(queryRows(ended as Executor, sql`select 1`)).rejects.toThrow();
  });

  it(`keep at most ${MAX_STATEMENTS} statements, and run one again after it was closed`, async () => {
    const run = (n: number) => queryRows<{ n: number }>(temp.database.db, sql.raw(`select ${n} as n`));
    for (let n = 0; n < MAX_STATEMENTS + 40; n++) expect(await run(n)).toEqual([{ n }]);
    const held = await queryRows<{ count: number }>(
      temp.database.db,
      sql`select count(*)::int as count from pg_prepared_statements`,
    );
    expect(held[0]?.count).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(await preparedStatements(temp.database.db, "select 0 as n")).toHaveLength(0);
    expect(await run(0)).toEqual([{ n: 0 }]);
  });

  it("keep what was written outside a transaction once the database is reopened", async () => {
    await temp.database.db.insert(users).values({ id: "usr_kept", email: "kept@example.com", version: 1 });
    await temp.reopen();
    const rows = await temp.database.db.select({ id: users.id }).from(users).where(eq(users.id, "usr_kept"));
    expect(rows).toEqual([{ id: "usr_kept" }]);
  });

  it("parse a column with the query's own parser for its type, and every other with PGlite's", async () => {
    const pg = new PGlite();
    try {
      const statements = new PgliteStatements(pg);
      const text = "select 1::int4 as own, 2::int4 as again, '2026-01-02T03:04:05Z'::timestamptz as other";
      const plain = await statements.query(text, [], undefined, false);
      expect(plain.rows).toEqual([{ own: 1, again: 2, other: new Date("2026-01-02T03:04:05Z") }]);
      const own = await statements.query(text, [], { parsers: { 23: (value: string) => `int ${value}` } }, false);
      expect(own.rows).toEqual([{ own: "int 1", again: "int 2", other: new Date("2026-01-02T03:04:05Z") }]);
      expect((await statements.query(text, [], undefined, false)).rows).toEqual(plain.rows);
    } finally {
      await pg.close();
    }
  });
});
