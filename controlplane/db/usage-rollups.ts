import { type SQL, sql } from "drizzle-orm";
import { formatDecimal } from "../../common/money.js";
import type { RollupDelta } from "../usage/billing-deltas.js";
import { GRAIN_DIMENSIONS, type Grain, type Period, rollupTable } from "../usage/rollup-grains.js";
import { queryRows, type Tx } from "./database.js";

const MEASURES = [
  "requests",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_read_tokens",
  "cost",
  "actual_cost",
  "duration_ms",
] as const;
const MEASURE_TYPES =
  "requests bigint, input_tokens bigint, output_tokens bigint, cache_creation_tokens bigint, cache_read_tokens bigint, cost numeric, actual_cost numeric, duration_ms bigint";

/** The grain's key columns after bucket_start: its dimensions, and the stripe of the model grain. */
function keyColumns(grain: Grain): string[] {
  return grain === "model" ? [...GRAIN_DIMENSIONS.model, "stripe"] : [...GRAIN_DIMENSIONS[grain]];
}

// A bucket that exists already gets the new sums added.
function addOnConflict(grain: Grain): SQL {
  const sums = MEASURES.map((m) => `${m} = t.${m} + excluded.${m}`).join(", ");
  return sql.raw(`on conflict (bucket_start, ${keyColumns(grain).join(", ")}) do update set ${sums}`);
}

const columnList = (grain: Grain) => sql.raw(["bucket_start", ...keyColumns(grain), ...MEASURES].join(", "));

/**
 * Adds a batch's sums to its buckets, creating the buckets it opens. Rows are written in key order, so
 * concurrent batches lock shared buckets in the same order. `stripe` (0-7) spreads the model grain.
 */
export async function addToRollups(
  tx: Tx,
  grain: Grain,
  period: Period,
  deltas: readonly RollupDelta[],
  stripe: number,
): Promise<void> {
  if (deltas.length === 0) return;
  const json = JSON.stringify(
    deltas.map((d) => ({
      bucket_start: d.bucketStart.toISOString(),
      ...d.dimensions,
      stripe,
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
  const keys = keyColumns(grain);
  const types = keys.map((k) => `${k} ${k === "stripe" ? "smallint" : "text"}`).join(", ");
  await queryRows(
    tx,
    sql`insert into ${sql.raw(rollupTable(grain, period))} as t (${columnList(grain)})
        select ${columnList(grain)} from json_to_recordset(${json}::json)
          as d(${sql.raw(`bucket_start timestamptz, ${types}, ${MEASURE_TYPES}`)})
        order by ${sql.raw(["bucket_start", ...keys].join(", "))}
        ${addOnConflict(grain)}`,
  );
}

/**
 * Rolls up logs in bulk: `logs` is a relation with usage_logs' columns (the table, or the rows a
 * statement inserts). For seeding and backfills, not for concurrent writers (no lock order).
 */
export function rollUpLogs(grain: Grain, period: Period, logs: SQL): SQL {
  const width = period === "hourly" ? "'hour'" : "'day'";
  const dimensions = GRAIN_DIMENSIONS[grain];
  const stripe = grain === "model" ? ", 0" : "";
  const groups = dimensions.map((_, i) => i + 2).join(", ");
  return sql`insert into ${sql.raw(rollupTable(grain, period))} as t (${columnList(grain)})
    select ${sql.raw(`date_trunc(${width}, created_at at time zone 'UTC') at time zone 'UTC', ${dimensions.join(", ")}${stripe}`)},
      count(*), sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens),
      sum(cost), sum(actual_cost), sum(duration_ms)
    from ${logs} group by ${sql.raw(`1, ${groups}`)}
    ${addOnConflict(grain)}`;
}
