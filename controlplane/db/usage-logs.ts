import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Executor, Tx } from "./database.js";
import { apiKeys, groups, usageLogs } from "./schema/index.js";

export type UsageLogRow = typeof usageLogs.$inferSelect;
export type NewUsageLog = typeof usageLogs.$inferInsert;

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

/** Newest first, keyset-paged by (created_at, request_id). */
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
    .orderBy(desc(usageLogs.createdAt), desc(usageLogs.requestId))
    .limit(limit);
}

/** Inserts the logs not seen before; returns the new ones only (a resent record is a no-op). */
export function insertNewUsageLogs(tx: Tx, rows: NewUsageLog[]) {
  return tx.insert(usageLogs).values(rows).onConflictDoNothing({ target: usageLogs.requestId }).returning({
    requestId: usageLogs.requestId,
    apiKeyId: usageLogs.apiKeyId,
    userId: usageLogs.userId,
    actualCost: usageLogs.actualCost,
    createdAt: usageLogs.createdAt,
  });
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
