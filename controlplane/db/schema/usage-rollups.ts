import { bigint, index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { instant, money } from "./columns.js";

// Usage summed per UTC hour and per UTC day at the grain of every UsageFilter dimension (user, key,
// account, group, model), so any filter and grouping the admin API offers is answered from one table.
// Maintained in the transaction that inserts the logs (usage/ingest.ts), so the sums are exact and
// outlive the raw logs (usage/retention.ts).
function usageRollup(name: string) {
  return pgTable(
    name,
    {
      bucketStart: instant("bucket_start").notNull(),
      userId: text("user_id").notNull(),
      apiKeyId: text("api_key_id").notNull(),
      accountId: text("account_id").notNull(),
      groupId: text("group_id").notNull(),
      model: text("model").notNull(),
      requests: bigint("requests", { mode: "bigint" }).notNull(),
      inputTokens: bigint("input_tokens", { mode: "bigint" }).notNull(),
      outputTokens: bigint("output_tokens", { mode: "bigint" }).notNull(),
      cacheCreationTokens: bigint("cache_creation_tokens", { mode: "bigint" }).notNull(),
      cacheReadTokens: bigint("cache_read_tokens", { mode: "bigint" }).notNull(),
      cost: money("cost").notNull(),
      actualCost: money("actual_cost").notNull(),
      // Summed, so averages are exact: round(duration_ms / requests).
      durationMs: bigint("duration_ms", { mode: "bigint" }).notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.bucketStart, t.apiKeyId, t.accountId, t.model, t.groupId, t.userId] }),
      index(`${name}_key_idx`).on(t.apiKeyId, t.bucketStart),
      index(`${name}_user_idx`).on(t.userId, t.bucketStart),
      index(`${name}_account_idx`).on(t.accountId, t.bucketStart),
    ],
  );
}

export const usageHourly = usageRollup("usage_hourly");
export const usageDaily = usageRollup("usage_daily");
export type UsageRollupTable = typeof usageHourly;
