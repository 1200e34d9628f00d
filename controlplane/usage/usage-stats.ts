import { and, eq, gte, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { int8 } from "../db/database.js";
import { usageLogs } from "../db/schema/index.js";
import { type UsageLogFilter, usageConditions } from "../db/usage-logs.js";

// Aggregates straight from usage_logs. DESIGN §6 wants per-key hourly/daily rollups for large tables;
// they replace this module's queries without changing its signatures.

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

const TOTALS = {
  requests: sql<string>`count(*)::text`,
  inputTokens: sql<string>`coalesce(sum(${usageLogs.inputTokens}), 0)::text`,
  outputTokens: sql<string>`coalesce(sum(${usageLogs.outputTokens}), 0)::text`,
  cacheCreationTokens: sql<string>`coalesce(sum(${usageLogs.cacheCreationTokens}), 0)::text`,
  cacheReadTokens: sql<string>`coalesce(sum(${usageLogs.cacheReadTokens}), 0)::text`,
  cost: sql<string>`coalesce(sum(${usageLogs.cost}), 0)::text`,
  actualCost: sql<string>`coalesce(sum(${usageLogs.actualCost}), 0)::text`,
  averageDurationMs: sql<string>`coalesce(round(avg(${usageLogs.durationMs})), 0)::text`,
};

type TotalsRow = { [K in keyof typeof TOTALS]: string };

function totalsOf(row: TotalsRow | undefined): UsageTotals {
  const input = int8(row?.inputTokens);
  const output = int8(row?.outputTokens);
  const cacheCreation = int8(row?.cacheCreationTokens);
  const cacheRead = int8(row?.cacheReadTokens);
  return {
    requests: int8(row?.requests),
    inputTokens: input,
    outputTokens: output,
    cacheCreationTokens: cacheCreation,
    cacheReadTokens: cacheRead,
    totalTokens: input + output + cacheCreation + cacheRead,
    cost: row?.cost ?? "0",
    actualCost: row?.actualCost ?? "0",
    averageDurationMs: int8(row?.averageDurationMs),
  };
}

export async function usageTotals(ex: Executor, filter: UsageLogFilter): Promise<UsageTotals> {
  const [row] = await ex
    .select(TOTALS)
    .from(usageLogs)
    .where(and(...usageConditions(filter)));
  return totalsOf(row);
}

const BUCKET_KEYS: Record<UsageGrouping, ReturnType<typeof sql<string>>> = {
  model: sql<string>`${usageLogs.model}`,
  account: sql<string>`${usageLogs.accountId}`,
  api_key: sql<string>`${usageLogs.apiKeyId}`,
  user: sql<string>`${usageLogs.userId}`,
  // Bucket starts in UTC, as RFC 3339 text so both drivers return the same thing.
  day: sql<string>`to_char(date_trunc('day', ${usageLogs.createdAt} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  hour: sql<string>`to_char(date_trunc('hour', ${usageLogs.createdAt} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
};

export interface UsageBucketTotals {
  key: string;
  /** For day and hour buckets. */
  start?: Date;
  totals: UsageTotals;
}

export async function usageBuckets(
  ex: Executor,
  filter: UsageLogFilter,
  grouping: UsageGrouping,
): Promise<UsageBucketTotals[]> {
  const key = BUCKET_KEYS[grouping];
  const rows = await ex
    .select({ key, ...TOTALS })
    .from(usageLogs)
    .where(and(...usageConditions(filter)))
    .groupBy(key)
    .orderBy(key);
  const timed = grouping === "day" || grouping === "hour";
  return rows.map((row) => ({ key: row.key, start: timed ? new Date(row.key) : undefined, totals: totalsOf(row) }));
}

export interface KeyUsage {
  today: UsageTotals;
  total: UsageTotals;
  /** Over the last 5 minutes, divided by 5; tokens include cache tokens. */
  rpm: number;
  tpm: number;
}

const RECENT_MINUTES = 5;

/** What GET /v1/usage shows for one key. */
export async function keyUsage(ex: Executor, apiKeyId: string, now: Date): Promise<KeyUsage> {
  const byKey = eq(usageLogs.apiKeyId, apiKeyId);
  const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const recentSince = new Date(now.getTime() - RECENT_MINUTES * 60_000);
  const [[total], [today], [recent]] = await Promise.all([
    ex.select(TOTALS).from(usageLogs).where(byKey),
    ex
      .select(TOTALS)
      .from(usageLogs)
      .where(and(byKey, gte(usageLogs.createdAt, startOfDay))),
    ex
      .select(TOTALS)
      .from(usageLogs)
      .where(and(byKey, gte(usageLogs.createdAt, recentSince))),
  ]);
  const recentTotals = totalsOf(recent);
  return {
    today: totalsOf(today),
    total: totalsOf(total),
    rpm: Number(recentTotals.requests) / RECENT_MINUTES,
    tpm: Number(recentTotals.totalTokens) / RECENT_MINUTES,
  };
}
