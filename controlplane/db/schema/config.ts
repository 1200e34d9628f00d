import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgSequence, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.js";

// Config versioning (controlplane/config/versions.ts): one global monotonic version for every change
// data planes must learn about.
export const configVersionSeq = pgSequence("config_version_seq", { startWith: 1 });

// One row: the version of the last committed change, read in the same snapshot as the rows it stamps.
export const configHead = pgTable(
  "config_head",
  {
    id: integer("id").primaryKey().default(1),
    version: bigint("version", { mode: "number" }).notNull().default(0),
    // The last version that changed more than billed quota used and balances (versions.ts ChangeKind):
    // a watcher at or past it has only users and keys to re-read.
    configVersion: bigint("config_version", { mode: "number" }).notNull().default(0),
    // Tombstones at or below this version were pruned: a watcher that old needs a snapshot.
    tombstoneFloor: bigint("tombstone_floor", { mode: "number" }).notNull().default(0),
    // The shipped default price table last seen and the version it was published at.
    defaultPricesHash: text("default_prices_hash").notNull().default(""),
    defaultPricesVersion: bigint("default_prices_version", { mode: "number" }).notNull().default(0),
  },
  (t) => [check("config_head_single_row", sql`${t.id} = 1`)],
);

// Deleted resources, so a delta can tell a data plane to drop them.
export const configTombstones = pgTable(
  "config_tombstones",
  {
    // "api_key" | "user" | "group" | "account" | "model_price"
    kind: text("kind").notNull(),
    id: text("id").notNull(),
    version: bigint("version", { mode: "number" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] }), index("config_tombstones_version_idx").on(t.version)],
);
