import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Log } from "../context.js";
import { maintainEmbedded } from "./embedded-maintenance.js";
import { withNamedStatements } from "./pglite-statements.js";
import * as schema from "./schema/index.js";

// The one place that knows there are two drivers (STACK.md "Databases"): postgres.js for servers,
// PGlite for the embedded mode. Everything else sees `Db`/`Executor` and the helpers below.

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Executor = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly driver: "postgres" | "pglite";
  /**
   * Subscribes to NOTIFY on a channel (PostgreSQL only: PGlite has no other process to hear from). The
   * payload is undefined on a (re)connect of the listening connection.
   */
  listen(channel: string, onNotify: (payload: string | undefined) => void): Promise<() => Promise<void>>;
  /**
   * What PostgreSQL's autovacuum and checkpointer do on a server, which runs its own (there this does
   * nothing); PGlite runs neither (embedded-maintenance.ts). The control plane calls it every minute.
   */
  maintain(log: Log, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/** Opens the database and applies pending migrations. */
export async function openDatabase(options: { databaseUrl?: string; pgliteDir: string }): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.pgliteDir);
}

// Replicas starting together must not run the migrations twice at once.
const MIGRATION_LOCK_KEY = 0x746f6d67; // "tomg"

async function migrateOnce(url: string): Promise<void> {
  // One connection, so the session lock and the migration run on the same session; ending it releases the lock.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: MIGRATIONS });
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPostgres(url: string): Promise<Database> {
  await migrateOnce(url);
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres({ client: preparing(client), schema }) as unknown as Db;
  return {
    db,
    driver: "postgres",
    async listen(channel, onNotify) {
      // Also on every (re)connect of the listening connection: notifications sent while it was down are lost.
      const subscription = await client.listen(
        channel,
        (payload) => onNotify(payload),
        () => onNotify(undefined),
      );
      return () => subscription.unlisten();
    },
    async maintain() {},
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * drizzle asks postgres.js for an unnamed statement unless a query is given a name, and postgres.js then
 * describes each statement with parameters in a round trip of its own before running it: two round trips
 * and a parse per query, and queries of one transaction cannot share a write. Named, a statement is
 * parsed once per connection (postgres.js keeps them; a connection lives at most an hour) and each run is
 * one message. Transactions and savepoints hand drizzle a client of their own, wrapped the same way.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, params?: never[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params, { ...options, prepare: true });
      }
      if (property === "begin" || property === "savepoint") {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: postgres.Sql) => unknown;
          const open = Reflect.get(target, property) as (...rest: unknown[]) => unknown;
          return open.call(target, ...args, (tx: postgres.Sql) => work(preparing(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

// PostgreSQL's default buffer pool, 128 MB, is touched whole at start: 100-120 MB more RSS than this
// one, for a database whose files sit in the OS page cache anyway.
const EMBEDDED_SHARED_BUFFERS = "32MB";

function newPglite(dataDir: string): PGlite {
  return new PGlite(dataDir, {
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
}

async function openPglite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const created = !existsSync(join(dataDir, "PG_VERSION"));
  let client = newPglite(dataDir);
  try {
    await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS });
    if (created) {
      // initdb ran in a WebAssembly instance of its own: left as it was, an idle first start of `npm
      // start` kept ~500 MB more RSS than a restart on the same folder (884 against 390 MB, 20 s after
      // start) until some later major GC; opened again at once, 461-492 MB.
      await client.close();
      client = newPglite(dataDir);
      await client.waitReady;
    }
  } catch (error) {
    await client.close();
    throw error;
  }
  const db = drizzlePglite({ client: withNamedStatements(client), schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    async listen() {
      return async () => {};
    },
    maintain: (log, signal) => maintainEmbedded(client, log, signal),
    close: () => client.close(),
  };
}

/** Rows of a raw query: postgres.js returns an array, PGlite `{ rows }`. */
export async function queryRows<T extends Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

/** An int8 from a raw query: a string (postgres.js), a number or a bigint (PGlite); SQL NULL is 0. */
export function int8(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number" || typeof value === "string") return BigInt(value);
  throw new TypeError(`not an int8: ${typeof value}`);
}
