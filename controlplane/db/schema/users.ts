import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { configVersion, createdAt, money, updatedAt } from "./columns.js";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    // "active" | "disabled"
    status: text("status").notNull().default("active"),
    balance: money("balance").notNull().default("0"),
    concurrency: integer("concurrency").notNull().default(0),
    // Billing changed the balance since the last version stamp; usage/usage-versions.ts stamps it.
    usagePending: boolean("usage_pending").notNull().default(false),
    version: configVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`),
    index("users_usage_pending_idx").on(t.id).where(sql`${t.usagePending}`),
  ],
);
