import { pgTable, text } from "drizzle-orm/pg-core";
import { configVersion, money, updatedAt } from "./columns.js";

// Overrides of the shipped default table (usage/default-prices.json); USD per million tokens.
export const modelPrices = pgTable("model_prices", {
  // Exact model name or a prefix ending in "*".
  model: text("model").primaryKey(),
  inputPerMtok: money("input_per_mtok").notNull(),
  outputPerMtok: money("output_per_mtok").notNull(),
  cacheWritePerMtok: money("cache_write_per_mtok").notNull(),
  cacheReadPerMtok: money("cache_read_per_mtok").notNull(),
  version: configVersion(),
  updatedAt: updatedAt(),
});
