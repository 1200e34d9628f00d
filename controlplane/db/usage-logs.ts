import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Atto } from "../../common/money.js";
import { type Executor, queryRows, type Tx } from "./database.js";
import { type ArrayElement, arrayLiteral } from "./pg-array.js";
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

// One statement per batch whatever its size: each column travels as one array parameter (no limit on
// bind parameters, one parse and plan), the rows sorted so concurrent batches meet in the same order.
// Every column but api_key_name, which is copied from the key, so logs keep it after the key is
// renamed or deleted. Money goes as atto-dollars in exponent notation ("1234e-18", exact in numeric)
// and times as epoch milliseconds: formatting a decimal and an ISO date for every log was a twentieth
// of the control plane's CPU at full ingest (a --cpu-prof profile of npm run bench -- --only usage-ingest).
type LogField = readonly [column: string, type: string, value: (row: NewUsageLog) => ArrayElement, select?: string];
const RECORD_FIELDS: readonly LogField[] = [
  ["request_id", "text", (r) => r.requestId],
  ["input_tokens", "bigint", (r) => r.inputTokens],
  ["output_tokens", "bigint", (r) => r.outputTokens],
  ["cache_creation_tokens", "bigint", (r) => r.cacheCreationTokens],
  ["cache_read_tokens", "bigint", (r) => r.cacheReadTokens],
  ["cost", "numeric", (r) => attoLiteral(r.cost)],
  ["actual_cost", "numeric", (r) => attoLiteral(r.actualCost)],
  ["stream", "boolean", (r) => r.stream],
  ["status_code", "integer", (r) => r.statusCode],
  ["duration_ms", "bigint", (r) => r.durationMs],
  ["first_token_ms", "bigint", (r) => r.firstTokenMs],
  ["estimated", "boolean", (r) => r.estimated],
  [
    "created_at",
    "bigint",
    (r) => r.createdAt.getTime(),
    "timestamptz 'epoch' + r.created_at * interval '1 millisecond'",
  ],
];
// What a batch repeats: a conversation stays on one key, account, model and client. Each distinct
// combination is sent once and the records name theirs by number, so PostgreSQL parses a batch's ids and
// texts once per combination, not once per record. Batches of 470 records of one conversation (a
// throwaway script alternating rounds of 30 batches, 2026-12-02) took a median 45.6 µs of CPU a record
// on PGlite against 49.0 sent whole (15 rounds each), 29.9 µs of wall time on PostgreSQL against 35.6
// (10 each).
const SHARED_FIELDS: readonly LogField[] = [
  ["user_id", "text", (r) => r.userId],
  ["api_key_id", "text", (r) => r.apiKeyId],
  ["account_id", "text", (r) => r.accountId],
  ["group_id", "text", (r) => r.groupId],
  ["platform", "text", (r) => r.platform],
  ["model", "text", (r) => r.model],
  ["ip_address", "text", (r) => r.ipAddress],
  ["user_agent", "text", (r) => r.userAgent],
];
const namesOf = (fields: readonly LogField[]) => fields.map(([column]) => column).join(", ");
const LOG_NAMES = sql.raw(`${namesOf(RECORD_FIELDS)}, ${namesOf(SHARED_FIELDS)}`);
const RECORD_NAMES = sql.raw(namesOf(RECORD_FIELDS));
const SHARED_NAMES = sql.raw(namesOf(SHARED_FIELDS));
const SELECTED = sql.raw(
  [
    ...RECORD_FIELDS.map(([column, , , select]) => select ?? `r.${column}`),
    ...SHARED_FIELDS.map(([column]) => `s.${column}`),
  ].join(", "),
);

function attoLiteral(units: Atto): string {
  return `${units}e-18`;
}

/** The rows' distinct combinations of shared fields, and each row's (numbered from 1, as ordinality). */
function sharedCombinations(rows: readonly NewUsageLog[]): { combos: NewUsageLog[]; comboOf: number[] } {
  const numbers = new Map<string, number>();
  const combos: NewUsageLog[] = [];
  const comboOf = rows.map((row) => {
    // Each text prefixed by its length: no two different combinations read as one.
    let key = "";
    for (const [, , value] of SHARED_FIELDS) {
      const text = value(row) as string;
      key += `${text.length}:${text}`;
    }
    let number = numbers.get(key);
    if (number === undefined) {
      combos.push(row);
      number = combos.length;
      numbers.set(key, number);
    }
    return number;
  });
  return { combos, comboOf };
}

const arrays = (fields: readonly LogField[], rows: readonly NewUsageLog[]) =>
  fields.map(([, type, value]) => sql`${arrayLiteral(rows.map(value))}::${sql.raw(type)}[]`);

/** Inserts the logs not seen before; returns the request ids of the new ones (a resent record is a no-op). */
export async function insertNewUsageLogs(tx: Tx, rows: readonly NewUsageLog[]): Promise<Set<string>> {
  const { combos, comboOf } = sharedCombinations(rows);
  const perRecord = [...arrays(RECORD_FIELDS, rows), sql`${arrayLiteral(comboOf)}::integer[]`];
  const inserted = await queryRows<{ request_id: string }>(
    tx,
    sql`insert into usage_logs (${LOG_NAMES}, api_key_name)
        select ${SELECTED}, coalesce(k.name, '')
          from unnest(${sql.join(perRecord, sql`, `)}) as r(${RECORD_NAMES}, combo)
          join unnest(${sql.join(arrays(SHARED_FIELDS, combos), sql`, `)}) with ordinality
            as s(${SHARED_NAMES}, n) on s.n = r.combo
          left join api_keys k on k.id = s.api_key_id
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
