import { type SQL, sql } from "drizzle-orm";
import { type Executor, int8, queryRows } from "../db/database.js";
import type { UsageLogFilter } from "../db/usage-logs.js";
import { type Dimension, type Grain, grainFor, rollupTable } from "./rollup-grains.js";
import { planStatsRange, type StatsSegment, type StatsSource } from "./stats-plan.js";
import { DAY_MS, floorTo } from "./utc-buckets.js";

// Usage aggregates (DESIGN §6) from the hourly and daily rollups of the narrowest grain that holds the
// query (rollup-grains.ts), with raw logs only for the minutes of a range that are not whole hours
// (stats-plan.ts), so the answer is exact — equal to summing usage_logs — and costs the same at tens of
// millions of logs. A query no grain holds reads the raw logs, by index.

export interface UsageTotals {
  requests: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheCreationTokens: bigint;
  cacheReadTokens: bigint;
  totalTokens: bigint;
  /** Decimal strings, summed as SQL numeric. */
  cost: string;
  actualCost: string;
  averageDurationMs: bigint;
}

export type UsageGrouping = "model" | "account" | "api_key" | "user" | "day" | "hour";

export interface UsageBucketTotals {
  key: string;
  /** For day and hour buckets. */
  start?: Date;
  totals: UsageTotals;
}

export interface UsageStats {
  totals: UsageTotals;
  buckets: UsageBucketTotals[];
}

function source(segment: StatsSource, grain: Grain): { table: SQL; at: SQL; requests: SQL } {
  if (segment === "raw")
    return { table: sql.raw("usage_logs"), at: sql.raw("created_at"), requests: sql.raw("1::bigint") };
  return { table: sql.raw(rollupTable(grain, segment)), at: sql.raw("bucket_start"), requests: sql.raw("requests") };
}

// Bucket keys, written against a source's columns; day and hour start in UTC.
const GROUP_KEYS: Record<UsageGrouping, (at: SQL) => SQL> = {
  model: () => sql.raw("model"),
  account: () => sql.raw("account_id"),
  api_key: () => sql.raw("api_key_id"),
  user: () => sql.raw("user_id"),
  day: (at) => sql`date_trunc('day', ${at} at time zone 'UTC')`,
  hour: (at) => sql`date_trunc('hour', ${at} at time zone 'UTC')`,
};

const MEASURES = sql.raw(`coalesce(sum(requests), 0)::text as requests,
  coalesce(sum(input_tokens), 0)::text as input_tokens,
  coalesce(sum(output_tokens), 0)::text as output_tokens,
  coalesce(sum(cache_creation_tokens), 0)::text as cache_creation_tokens,
  coalesce(sum(cache_read_tokens), 0)::text as cache_read_tokens,
  coalesce(sum(cost), 0)::text as cost,
  coalesce(sum(actual_cost), 0)::text as actual_cost,
  coalesce(round(sum(duration_ms)::numeric / nullif(sum(requests), 0)), 0)::text as average_duration_ms`);

type TotalsRow = {
  requests: string;
  input_tokens: string;
  output_tokens: string;
  cache_creation_tokens: string;
  cache_read_tokens: string;
  cost: string;
  actual_cost: string;
  average_duration_ms: string;
};

function totalsOf(row: TotalsRow | undefined): UsageTotals {
  const input = int8(row?.input_tokens);
  const output = int8(row?.output_tokens);
  const cacheCreation = int8(row?.cache_creation_tokens);
  const cacheRead = int8(row?.cache_read_tokens);
  return {
    requests: int8(row?.requests),
    inputTokens: input,
    outputTokens: output,
    cacheCreationTokens: cacheCreation,
    cacheReadTokens: cacheRead,
    totalTokens: input + output + cacheCreation + cacheRead,
    cost: row?.cost ?? "0",
    actualCost: row?.actual_cost ?? "0",
    averageDurationMs: int8(row?.average_duration_ms),
  };
}

function dimensionConditions(filter: UsageLogFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.userId) conditions.push(sql`user_id = ${filter.userId}`);
  if (filter.apiKeyId) conditions.push(sql`api_key_id = ${filter.apiKeyId}`);
  if (filter.accountId) conditions.push(sql`account_id = ${filter.accountId}`);
  if (filter.groupId) conditions.push(sql`group_id = ${filter.groupId}`);
  if (filter.model) conditions.push(sql`model = ${filter.model}`);
  return conditions;
}

const FILTER_DIMENSIONS: [keyof UsageLogFilter, Dimension][] = [
  ["userId", "user_id"],
  ["apiKeyId", "api_key_id"],
  ["accountId", "account_id"],
  ["groupId", "group_id"],
  ["model", "model"],
];
const GROUPING_DIMENSIONS: Partial<Record<UsageGrouping, Dimension>> = {
  model: "model",
  account: "account_id",
  api_key: "api_key_id",
  user: "user_id",
};

/** The segments to read: from the narrowest rollup holding the query, else all from raw logs. */
function plan(filter: UsageLogFilter, grouping: UsageGrouping | undefined): { grain: Grain; segments: StatsSegment[] } {
  const dimensions = new Set(FILTER_DIMENSIONS.filter(([field]) => filter[field]).map(([, d]) => d));
  const grouped = grouping && GROUPING_DIMENSIONS[grouping];
  if (grouped) dimensions.add(grouped);
  const grain = grainFor(dimensions);
  const { startTime: start, endTime: end } = filter;
  if (!grain) return { grain: "key", segments: start && end && start >= end ? [] : [{ source: "raw", start, end }] };
  return { grain, segments: planStatsRange(start, end, grouping === "hour") };
}

/** One source's rows of a segment: the bucket key (when grouped) and the measures, rollup-shaped. */
function segmentRows(
  segment: StatsSegment,
  grain: Grain,
  filter: UsageLogFilter,
  grouping: UsageGrouping | undefined,
): SQL {
  const { table, at, requests } = source(segment.source, grain);
  const conditions = dimensionConditions(filter);
  if (segment.start) conditions.push(sql`${at} >= ${segment.start.toISOString()}::timestamptz`);
  if (segment.end) conditions.push(sql`${at} < ${segment.end.toISOString()}::timestamptz`);
  const key = grouping ? sql`${GROUP_KEYS[grouping](at)} as k, ` : sql``;
  const where = conditions.length > 0 ? sql` where ${sql.join(conditions, sql` and `)}` : sql``;
  return sql`select ${key}${requests} as requests, input_tokens, output_tokens, cache_creation_tokens,
    cache_read_tokens, cost, actual_cost, duration_ms from ${table}${where}`;
}

const ZERO = totalsOf(undefined);

/** Totals over the filter, and per bucket when grouped (buckets ordered by key). */
export async function usageStats(ex: Executor, filter: UsageLogFilter, grouping?: UsageGrouping): Promise<UsageStats> {
  const { grain, segments } = plan(filter, grouping);
  if (segments.length === 0) return { totals: ZERO, buckets: [] };
  const rows = sql`(${sql.join(
    segments.map((s) => segmentRows(s, grain, filter, grouping)),
    sql` union all `,
  )}) u`;
  if (!grouping) {
    const [row] = await queryRows<TotalsRow>(ex, sql`select ${MEASURES} from ${rows}`);
    return { totals: totalsOf(row), buckets: [] };
  }
  const timed = grouping === "day" || grouping === "hour";
  // Day and hour keys as RFC 3339 text, so both drivers return the same thing.
  const key = timed ? sql`to_char(k, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` : sql`k`;
  const result = await queryRows<TotalsRow & { key: string | null; total: boolean }>(
    ex,
    sql`select ${key} as key, grouping(k) = 1 as total, ${MEASURES} from ${rows}
        group by grouping sets ((k), ()) order by k`,
  );
  const totals = result.find((r) => r.total);
  const buckets = result
    .filter((r) => !r.total)
    .map((r) => {
      const bucketKey = r.key ?? "";
      return { key: bucketKey, start: timed ? new Date(bucketKey) : undefined, totals: totalsOf(r) };
    });
  return { totals: totalsOf(totals), buckets };
}

export interface KeyUsage {
  today: UsageTotals;
  total: UsageTotals;
  /** Over the last 5 minutes, divided by 5; tokens include cache tokens. */
  rpm: number;
  tpm: number;
}

const RECENT_MINUTES = 5;

/** What GET /v1/usage shows for one key: today (UTC) and all time from the daily rollups, rates from raw logs. */
export async function keyUsage(ex: Executor, apiKeyId: string, now: Date): Promise<KeyUsage> {
  const byKey: UsageLogFilter = { userId: "", apiKeyId, accountId: "", groupId: "", model: "" };
  const startOfDay = floorTo(now, DAY_MS);
  const [total, today, recent] = await Promise.all([
    usageStats(ex, byKey),
    usageStats(ex, { ...byKey, startTime: startOfDay }),
    usageStats(ex, { ...byKey, startTime: new Date(now.getTime() - RECENT_MINUTES * 60_000) }),
  ]);
  return {
    today: today.totals,
    total: total.totals,
    rpm: Number(recent.totals.requests) / RECENT_MINUTES,
    tpm: Number(recent.totals.totalTokens) / RECENT_MINUTES,
  };
}
