import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { type Atto, formatDecimal } from "../../common/money.js";
import { type Executor, queryRows, type Tx } from "./database.js";
import { usageLogs } from "./schema/index.js";

export type UsageLogRow = typeof usageLogs.$inferSelect;

/** A priced usage record, as ingestion writes it. */
export interface NewUsageLog {
  requestId: string;
  userId: string;
  apiKeyId: string;
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

function usageConditions(filter: UsageLogFilter): SQL[] {
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
  `request_id text, user_id text, api_key_id text, account_id text, group_id text,
   platform text, model text, input_tokens bigint, output_tokens bigint, cache_creation_tokens bigint,
   cache_read_tokens bigint, cost numeric, actual_cost numeric, stream boolean, status_code integer,
   duration_ms bigint, first_token_ms bigint, ip_address text, user_agent text, estimated boolean,
   created_at timestamptz`,
);
const RECORD_NAMES = sql.raw(
  `r.request_id, r.user_id, r.api_key_id, coalesce(k.name, ''), r.account_id, r.group_id, r.platform, r.model,
   r.input_tokens, r.output_tokens, r.cache_creation_tokens, r.cache_read_tokens, r.cost, r.actual_cost, r.stream,
   r.status_code, r.duration_ms, r.first_token_ms, r.ip_address, r.user_agent, r.estimated, r.created_at`,
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
    // The key's name is copied in, so logs keep it after the key is renamed or deleted.
    sql`insert into usage_logs (${LOG_NAMES})
        select ${RECORD_NAMES} from json_to_recordset(${logJson(rows)}::json) as r(${LOG_COLUMNS})
          left join api_keys k on k.id = r.api_key_id
        order by r.request_id
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
