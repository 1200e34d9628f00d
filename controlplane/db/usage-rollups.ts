import { type SQL, sql } from "drizzle-orm";
import { formatDecimal } from "../../common/money.js";
import type { RollupDelta, RollupDeltas } from "../usage/billing-deltas.js";
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

/** The grain's key columns after bucket_start: its dimensions and the stripe. */
const keyColumns = (grain: Grain): string[] => [...GRAIN_DIMENSIONS[grain], "stripe"];

// A bucket that exists already gets the new sums added.
function addOnConflict(grain: Grain): SQL {
  const sums = MEASURES.map((m) => `${m} = t.${m} + excluded.${m}`).join(", ");
  return sql.raw(`on conflict (bucket_start, ${keyColumns(grain).join(", ")}) do update set ${sums}`);
}

const columnList = (grain: Grain) => sql.raw(["bucket_start", ...keyColumns(grain), ...MEASURES].join(", "));

function upsertDeltas(grain: Grain, period: Period, deltas: readonly RollupDelta[], stripe: number): SQL {
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
  return sql`insert into ${sql.raw(rollupTable(grain, period))} as t (${columnList(grain)})
    select ${columnList(grain)} from json_to_recordset(${json}::json)
      as d(${sql.raw(`bucket_start timestamptz, ${types}, ${MEASURE_TYPES}`)})
    order by ${sql.raw(["bucket_start", ...keys].join(", "))}
    ${addOnConflict(grain)}`;
}

/**
 * Adds a batch's sums to every rollup, creating the buckets it opens, in one statement. Each table's
 * rows are written in key order, and the tables in the statement's fixed order (PostgreSQL runs the
 * WITH sub-statements of one plan in one order), so concurrent batches lock shared buckets in the same
 * order. `stripe` is the writer's stripe of each bucket (schema/usage-rollups.ts).
 */
export async function addToRollups(tx: Tx, rollups: readonly RollupDeltas[], stripe: number): Promise<void> {
  const writes = rollups
    .filter((r) => r.deltas.length > 0)
    .map((r) => upsertDeltas(r.grain, r.period, r.deltas, stripe));
  const [last, ...others] = writes.reverse();
  if (!last) return;
  const ctes = others.map((write, i) => sql`${sql.raw(i === 0 ? "with" : ",")} w${sql.raw(String(i))} as (${write}) `);
  await queryRows(tx, sql`${sql.join(ctes, sql``)}${last}`);
}

/**
 * Rolls up logs in bulk: `logs` is a relation with usage_logs' columns (the table, or the rows a
 * statement inserts). For seeding and backfills, not for concurrent writers (no lock order).
 */
export function rollUpLogs(grain: Grain, period: Period, logs: SQL): SQL {
  const width = period === "hourly" ? "'hour'" : "'day'";
  const dimensions = GRAIN_DIMENSIONS[grain];
  const groups = dimensions.map((_, i) => i + 2).join(", ");
  return sql`insert into ${sql.raw(rollupTable(grain, period))} as t (${columnList(grain)})
    select ${sql.raw(`date_trunc(${width}, created_at at time zone 'UTC') at time zone 'UTC', ${dimensions.join(", ")}, 0`)},
      count(*), sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens),
      sum(cost), sum(actual_cost), sum(duration_ms)
    from ${logs} group by ${sql.raw(`1, ${groups}`)}
    ${addOnConflict(grain)}`;
}
