import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { configVersion, createdAt, instant, money, updatedAt } from "./columns.js";
import { groups } from "./groups.js";
import { users } from "./users.js";

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull().default(""),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    // What the admin set: "active" | "disabled". Expired and quota-exhausted are derived (keys/key-status.ts).
    status: text("status").notNull().default("active"),
    // Hex SHA-256 of the secret; the secret itself is never stored.
    secretHash: text("secret_hash").notNull(),
    keyPrefix: text("key_prefix").notNull(),
    // "0" = unlimited.
    quota: money("quota").notNull().default("0"),
    quotaUsed: money("quota_used").notNull().default("0"),
    expiresAt: instant("expires_at"),
    ipWhitelist: text("ip_whitelist").array().notNull().default([]),
    ipBlacklist: text("ip_blacklist").array().notNull().default([]),
    lastUsedAt: instant("last_used_at"),
    // Billing changed quota_used since the last version stamp; usage/usage-versions.ts stamps it.
    usagePending: boolean("usage_pending").notNull().default(false),
    version: configVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("api_keys_secret_hash_idx").on(t.secretHash),
    index("api_keys_user_idx").on(t.userId),
    index("api_keys_group_idx").on(t.groupId),
    index("api_keys_version_idx").on(t.version),
    index("api_keys_usage_pending_idx").on(t.id).where(sql`${t.usagePending}`),
  ],
);
