import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTempPglite, openTestDatabase, preparedStatements, type TempPglite } from "../test-support.js";
import { type Database, type Executor, queryRows } from "./database.js";
import { users } from "./schema/index.js";

// On PostgreSQL every query runs as a named statement: parsed once per connection, then one round trip
// per run (database.ts, preparing).

describe("PostgreSQL statements", () => {
  let opened: Database;
  beforeAll(async () => {
    opened = await openTestDatabase();
  });
  afterAll(() => opened?.close());

  it.each<[string, (run: (ex: Executor) => Promise<void>) => Promise<void>]>([
    ["in a transaction", (run) => opened.db.transaction(run)],
    ["in a nested transaction (savepoint)", (run) => opened.db.transaction((tx) => tx.transaction(run))],
  ])("are prepared %s, and a second run reuses the statement", async (_name, within) => {
    await within(async (ex) => {
      for (let run = 0; run < 2; run++) {
        const rows = await ex
          .select()
          .from(users)
          .where(eq(users.id, `no-such-user-${run}`));
        expect(rows).toEqual([]);
      }
      const prepared = await preparedStatements(ex, 'from "users" where "users"."id" = $1');
      expect(prepared).toHaveLength(1);
    });
  });

  it("keep each statement's results apart when a transaction sends several at once", async () => {
    const counts = await opened.db.transaction((tx) =>
      Promise.all([1, 2, 3].map((n) => queryRows<{ n: number }>(tx, sql`select generate_series(1, ${n}::int) as n`))),
    );
    expect(counts.map((rows) => rows.length)).toEqual([1, 2, 3]);
  });
});

// The embedded database reopens itself after its first start's initdb (database.ts, openPglite), and
// runs with a small buffer pool; both only change memory, never what is stored.
describe("the embedded database", () => {
  let temp: TempPglite | undefined;
  afterAll(() => temp?.close());

  it("keeps what its first start wrote, and runs with the embedded buffer pool", async () => {
    temp = await openTempPglite("embedded-open");
    await temp.database.db.insert(users).values({ id: "embedded-user", email: "e@example.com", version: 1 });
    for (let start = 0; start < 2; start++) {
      const [pool] = await queryRows<{ shared_buffers: string }>(temp.database.db, sql`show shared_buffers`);
      expect(pool?.shared_buffers).toBe("32MB");
      const rows = await temp.database.db.select({ id: users.id }).from(users).where(eq(users.id, "embedded-user"));
      expect(rows).toEqual([{ id: "embedded-user" }]);
      await temp.reopen();
    }
  });
});
