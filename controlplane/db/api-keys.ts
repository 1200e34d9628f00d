import { and, asc, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import type { Executor, Tx } from "./database.js";
import { apiKeys } from "./schema/index.js";

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;

export async function findApiKey(ex: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await ex.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

/** keys/key-status.ts `effectiveKeyStatus` as a SQL condition, for filtering lists by status. */
export function statusCondition(status: ApiKeyStatus, now: Date): SQL | undefined {
  const active = eq(apiKeys.status, "active");
  const expired = and(active, lte(apiKeys.expiresAt, now));
  const notExpired = or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now));
  const exhausted = and(sql`${apiKeys.quota} > 0`, sql`${apiKeys.quotaUsed} >= ${apiKeys.quota}`);
  switch (status) {
    case ApiKeyStatus.DISABLED:
      return eq(apiKeys.status, "disabled");
    case ApiKeyStatus.EXPIRED:
      return expired;
    case ApiKeyStatus.QUOTA_EXHAUSTED:
      return and(active, notExpired, exhausted);
    case ApiKeyStatus.ACTIVE:
      return and(active, notExpired, sql`not (${exhausted})`);
    default:
      return undefined;
  }
}

export interface ApiKeyFilter {
  userId: string;
  groupId: string;
  status: ApiKeyStatus;
}

export function listApiKeys(ex: Executor, filter: ApiKeyFilter, now: Date, limit: number, afterId?: string) {
  const conditions: (SQL | undefined)[] = [statusCondition(filter.status, now)];
  if (filter.userId) conditions.push(eq(apiKeys.userId, filter.userId));
  if (filter.groupId) conditions.push(eq(apiKeys.groupId, filter.groupId));
  if (afterId) conditions.push(gt(apiKeys.id, afterId));
  return ex
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(asc(apiKeys.id))
    .limit(limit);
}

export async function insertApiKey(tx: Tx, values: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await tx.insert(apiKeys).values(values).returning();
  return row as ApiKeyRow;
}

export type ApiKeyPatch = Partial<
  Pick<ApiKeyRow, "name" | "groupId" | "status" | "quota" | "quotaUsed" | "expiresAt" | "ipWhitelist" | "ipBlacklist">
>;

export async function updateApiKey(tx: Tx, id: string, patch: ApiKeyPatch, version: number): Promise<ApiKeyRow> {
  const [row] = await tx
    .update(apiKeys)
    .set({ ...patch, version, updatedAt: sql`now()` })
    .where(eq(apiKeys.id, id))
    .returning();
  return row as ApiKeyRow;
}

export async function deleteApiKey(tx: Tx, id: string): Promise<void> {
  await tx.delete(apiKeys).where(eq(apiKeys.id, id));
}
