import { bigint, index, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";
import { instant, money } from "./columns.js";

// Usage summed per UTC hour and per UTC day, at three grains (usage/rollup-grains.ts): per key (with
// its user, group and model), per account and model, and per model alone, so each stats query reads the
// narrowest table holding its filter and grouping — the dashboard's unfiltered queries read a few rows
// per hour whatever the number of keys. Maintained in the transaction that inserts the logs
// (usage/ingest.ts), so the sums are exact, and they outlive the raw logs (usage/retention.ts).

const measures = () => ({
  requests: bigint("requests", { mode: "bigint" }).notNull(),
  inputTokens: bigint("input_tokens", { mode: "bigint" }).notNull(),
  outputTokens: bigint("output_tokens", { mode: "bigint" }).notNull(),
  cacheCreationTokens: bigint("cache_creation_tokens", { mode: "bigint" }).notNull(),
  cacheReadTokens: bigint("cache_read_tokens", { mode: "bigint" }).notNull(),
  cost: money("cost").notNull(),
  actualCost: money("actual_cost").notNull(),
  // Summed, so averages are exact: round(duration_ms / requests).
  durationMs: bigint("duration_ms", { mode: "bigint" }).notNull(),
});

// Concurrent usage streams (data planes) add to the same hot buckets, the current hour of busy keys,
// accounts and models. Each stream writes its own stripe of a bucket (usage/ingest.ts), so concurrent
// batches do not queue on one row; reads sum the stripes like any other rows.
const stripe = () => smallint("stripe").notNull().default(0);

function keyRollup(name: string) {
  return pgTable(
    name,
    {
      bucketStart: instant("bucket_start").notNull(),
      apiKeyId: text("api_key_id").notNull(),
      model: text("model").notNull(),
      groupId: text("group_id").notNull(),
      userId: text("user_id").notNull(),
      stripe: stripe(),
      ...measures(),
    },
    (t) => [
      primaryKey({ columns: [t.bucketStart, t.apiKeyId, t.model, t.groupId, t.userId, t.stripe] }),
      index(`${name}_key_idx`).on(t.apiKeyId, t.bucketStart),
      index(`${name}_user_idx`).on(t.userId, t.bucketStart),
    ],
  );
}

function accountRollup(name: string) {
  return pgTable(
    name,
    {
      bucketStart: instant("bucket_start").notNull(),
      accountId: text("account_id").notNull(),
      model: text("model").notNull(),
      stripe: stripe(),
      ...measures(),
    },
    (t) => [
      primaryKey({ columns: [t.bucketStart, t.accountId, t.model, t.stripe] }),
      index(`${name}_account_idx`).on(t.accountId, t.bucketStart),
    ],
  );
}

function modelRollup(name: string) {
  return pgTable(
    name,
    {
      bucketStart: instant("bucket_start").notNull(),
      model: text("model").notNull(),
      stripe: stripe(),
      ...measures(),
    },
    (t) => [primaryKey({ columns: [t.bucketStart, t.model, t.stripe] })],
  );
}

export const usageKeyHourly = keyRollup("usage_key_hourly");
export const usageKeyDaily = keyRollup("usage_key_daily");
export const usageAccountHourly = accountRollup("usage_account_hourly");
export const usageAccountDaily = accountRollup("usage_account_daily");
export const usageModelHourly = modelRollup("usage_model_hourly");
export const usageModelDaily = modelRollup("usage_model_daily");
