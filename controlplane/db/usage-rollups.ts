import { sql } from "drizzle-orm";
import { formatDecimal } from "../../common/money.js";
import type { RollupDelta } from "../usage/billing-deltas.js";
import { queryRows, type Tx } from "./database.js";

export type RollupPeriod = "hourly" | "daily";

export const ROLLUP_TABLES: Record<RollupPeriod, string> = { hourly: "usage_hourly", daily: "usage_daily" };

/** Adds a batch's sums to its buckets, creating the buckets it opens; bucket rows are locked in key order. */
export async function addToRollups(tx: Tx, period: RollupPeriod, deltas: readonly RollupDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const table = sql.raw(ROLLUP_TABLES[period]);
  const json = JSON.stringify(
    deltas.map((d) => ({
      bucket_start: d.bucketStart.toISOString(),
      user_id: d.userId,
      api_key_id: d.apiKeyId,
      account_id: d.accountId,
      group_id: d.groupId,
      model: d.model,
      requests: String(d.requests),
      input_tokens: String(d.inputTokens),
      output_tokens: String(d.outputTokens),
      cache_creation_tokens: String(d.cacheCreationTokens),
      cache_read_tokens: String(d.cacheReadTokens),
      cost: formatDecimal(d.cost),
      actual_cost: formatDecimal(d.actualCost),
      duration_ms: String(d.durationMs),
    })),
  );
  await queryRows(
    tx,
    sql`insert into ${table} as t (bucket_start, user_id, api_key_id, account_id, group_id, model, requests,
          input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost, actual_cost, duration_ms)
        select * from json_to_recordset(${json}::json) as d(bucket_start timestamptz, user_id text,
          api_key_id text, account_id text, group_id text, model text, requests bigint, input_tokens bigint,
          output_tokens bigint, cache_creation_tokens bigint, cache_read_tokens bigint, cost numeric,
          actual_cost numeric, duration_ms bigint)
        order by bucket_start, api_key_id, account_id, model, group_id, user_id
        on conflict (bucket_start, api_key_id, account_id, model, group_id, user_id) do update set
          requests = t.requests + excluded.requests,
          input_tokens = t.input_tokens + excluded.input_tokens,
          output_tokens = t.output_tokens + excluded.output_tokens,
          cache_creation_tokens = t.cache_creation_tokens + excluded.cache_creation_tokens,
          cache_read_tokens = t.cache_read_tokens + excluded.cache_read_tokens,
          cost = t.cost + excluded.cost,
          actual_cost = t.actual_cost + excluded.actual_cost,
          duration_ms = t.duration_ms + excluded.duration_ms`,
  );
}
