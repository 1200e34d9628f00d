import { type AnyPgColumn, boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { configVersion, createdAt, money, updatedAt } from "./columns.js";

export const groups = pgTable(
  "groups",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // "anthropic" | "openai" | "gemini" | "antigravity"; fixed after creation.
    platform: text("platform").notNull(),
    rateMultiplier: money("rate_multiplier").notNull().default("1"),
    claudeCodeOnly: boolean("claude_code_only").notNull().default(false),
    fallbackGroupId: text("fallback_group_id").references((): AnyPgColumn => groups.id),
    // "active" | "disabled"
    status: text("status").notNull().default("active"),
    description: text("description").notNull().default(""),
    version: configVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("groups_name_idx").on(t.name), index("groups_fallback_idx").on(t.fallbackGroupId)],
);
