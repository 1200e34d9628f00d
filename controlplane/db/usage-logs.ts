import { and, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { type Atto, formatDecimal } from "../../common/money.js";
import { type Executor, queryRows, type Tx } from "./database.js";
import { apiKeys, groups, usageLogs } from "./schema/index.js";

export type UsageLogRow = typeof usageLogs.$inferSelect;

/** A priced usage record, as ingestion writes it. */
export interface NewUsageLog {
  requestId: string;
  userId: string;
  apiKeyId: string;
  apiKeyName: string;
  accountId: string;
  groupId: string;
  platform: string;
  model: string;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheCreationTokens: bigint;
  cacheReadTokens: bigint;
  cost: Atto;
  actualCost: Atto;
  stream: boolean;
  statusCode: number;
  durationMs: number;
  firstTokenMs: number | null;
  ipAddress: string;
  userAgent: string;
  estimated: boolean;
  createdAt: Date;
}

export interface UsageLogFilter {
  userId: string;
  apiKeyId: string;
  accountId: string;
  groupId: string;
  model: string;
  /** Inclusive. */
  startTime?: Date;
  /** Exclusive. */
  endTime?: Date;
}

export function usageConditions(filter: UsageLogFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.userId) conditions.push(eq(usageLogs.userId, filter.userId));
  if (filter.apiKeyId) conditions.push(eq(usageLogs.apiKeyId, filter.apiKeyId));
  if (filter.accountId) conditions.push(eq(usageLogs.accountId, filter.accountId));
  if (filter.groupId) conditions.push(eq(usageLogs.groupId, filter.groupId));
  if (filter.model) conditions.push(eq(usageLogs.model, filter.model));
  if (filter.startTime) conditions.push(gte(usageLogs.createdAt, filter.startTime));
  if (filter.endTime) conditions.push(lt(usageLogs.createdAt, filter.endTime));
  return conditions;
}

/** Newest first, keyset-paged by (created_at, request_id); every filter has an index in that order. */
export function listUsageLogs(
  ex: Executor,
  filter: UsageLogFilter,
  limit: number,
  before?: { createdAt: string; requestId: string },
) {
  const conditions = usageConditions(filter);
  if (before) {
    conditions.push(
      sql`(${usageLogs.createdAt}, ${usageLogs.requestId}) < (${before.createdAt}::timestamptz, ${before.requestId})`,
    );
  }
  return ex
    .select()
    .from(usageLogs)
    .where(and(...conditions))
    .orderBy(sql`${usageLogs.createdAt} desc nulls last`, sql`${usageLogs.requestId} desc nulls last`)
    .limit(limit);
}

// One statement per batch whatever its size: the rows travel as one JSON parameter (no limit on bind
// parameters, one parse and plan), sorted so concurrent batches meet in the same order.
const LOG_COLUMNS = sql.raw(
  `request_id text, user_id text, api_key_id text, api_key_name text, account_id text, group_id text,
   platform text, model text, input_tokens bigint, output_tokens bigint, cache_creation_tokens bigint,
   cache_read_tokens bigint, cost numeric, actual_cost numeric, stream boolean, status_code integer,
   duration_ms bigint, first_token_ms bigint, ip_address text, user_agent text, estimated boolean,
   created_at timestamptz`,
);
const LOG_NAMES = sql.raw(
  `request_id, user_id, api_key_id, api_key_name, account_id, group_id, platform, model, input_tokens,
   output_tokens, cache_creation_tokens, cache_read_tokens, cost, actual_cost, stream, status_code,
   duration_ms, first_token_ms, ip_address, user_agent, estimated, created_at`,
);

function logJson(rows: readonly NewUsageLog[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      request_id: r.requestId,
      user_id: r.userId,
      api_key_id: r.apiKeyId,
      api_key_name: r.apiKeyName,
      account_id: r.accountId,
      group_id: r.groupId,
      platform: r.platform,
      model: r.model,
      input_tokens: String(r.inputTokens),
      output_tokens: String(r.outputTokens),
      cache_creation_tokens: String(r.cacheCreationTokens),
      cache_read_tokens: String(r.cacheReadTokens),
      cost: formatDecimal(r.cost),
      actual_cost: formatDecimal(r.actualCost),
      stream: r.stream,
      status_code: r.statusCode,
      duration_ms: r.durationMs,
      first_token_ms: r.firstTokenMs,
      ip_address: r.ipAddress,
      user_agent: r.userAgent,
      estimated: r.estimated,
      created_at: r.createdAt.toISOString(),
    })),
  );
}

/** Inserts the logs not seen before; returns the request ids of the new ones (a resent record is a no-op). */
export async function insertNewUsageLogs(tx: Tx, rows: readonly NewUsageLog[]): Promise<Set<string>> {
  const inserted = await queryRows<{ request_id: string }>(
    tx,
    sql`insert into usage_logs (${LOG_NAMES})
        select ${LOG_NAMES} from json_to_recordset(${logJson(rows)}::json) as r(${LOG_COLUMNS})
        order by request_id
        on conflict (request_id) do nothing
        returning request_id`,
  );
  return new Set(inserted.map((r) => r.request_id));
}

/**
 * Deletes up to `limit` logs created before `before`, oldest first; returns how many. Rows another
 * pruner holds are skipped, so replicas pruning at once never wait on each other.
 */
export async function deleteUsageLogsBefore(ex: Executor, before: Date, limit: number): Promise<number> {
  const deleted = await queryRows<{ n: string }>(
    ex,
    sql`with doomed as (
          select request_id from usage_logs where created_at < ${before.toISOString()}::timestamptz
          order by created_at limit ${limit} for update skip locked
        ), gone as (delete from usage_logs where request_id in (select request_id from doomed) returning 1)
        select count(*)::text as n from gone`,
  );
  return Number(deleted[0]?.n ?? 0);
}

export async function rateMultipliers(ex: Executor, groupIds: readonly string[]): Promise<Map<string, string>> {
  if (groupIds.length === 0) return new Map();
  const rows = await ex
    .select({ id: groups.id, rate: groups.rateMultiplier })
    .from(groups)
    .where(inArray(groups.id, [...groupIds]));
  return new Map(rows.map((r) => [r.id, r.rate]));
}

export async function apiKeyNames(ex: Executor, keyIds: readonly string[]): Promise<Map<string, string>> {
  if (keyIds.length === 0) return new Map();
  const rows = await ex
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(inArray(apiKeys.id, [...keyIds]));
  return new Map(rows.map((r) => [r.id, r.name]));
}
