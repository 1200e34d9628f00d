import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { configVersion, createdAt, instant, updatedAt } from "./columns.js";
import { groups } from "./groups.js";

export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // Same values as groups.platform; fixed after creation.
    platform: text("platform").notNull(),
    // "apikey" | "oauth"
    type: text("type").notNull(),
    // "" = the platform default.
    baseUrl: text("base_url").notNull().default(""),
    priority: integer("priority").notNull().default(0),
    concurrency: integer("concurrency").notNull().default(0),
    schedulable: boolean("schedulable").notNull().default(true),
    // "active" | "disabled" | "error"
    status: text("status").notNull().default("active"),
    models: text("models").array().notNull().default([]),
    // AES-256-GCM sealed JSON of the credentials (accounts/credentials-cipher.ts); write-only.
    credentials: text("credentials").notNull(),
    tokenExpiresAt: instant("token_expires_at"),
    // Runtime state reported by data planes (ReportAccountState), shown to admins.
    tempUnschedulableUntil: instant("temp_unschedulable_until"),
    stateReason: text("state_reason").notNull().default(""),
    rateLimitedUntil: instant("rate_limited_until"),
    overloadedUntil: instant("overloaded_until"),
    lastError: text("last_error").notNull().default(""),
    lastErrorAt: instant("last_error_at"),
    lastUsedAt: instant("last_used_at"),
    // Bumped by ClearAccountState so data planes drop the runtime state they hold.
    stateEpoch: bigint("state_epoch", { mode: "number" }).notNull().default(0),
    version: configVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("accounts_name_idx").on(t.name), index("accounts_version_idx").on(t.version)],
);

export const accountGroups = pgTable(
  "account_groups",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.groupId] }), index("account_groups_group_idx").on(t.groupId)],
);
