import { and, asc, eq, gt, ne, type SQL, sql } from "drizzle-orm";
import type { Executor, Tx } from "./database.js";
import { accountGroups, apiKeys, groups } from "./schema/index.js";

export type GroupRow = typeof groups.$inferSelect;
export type NewGroup = typeof groups.$inferInsert;

export async function findGroup(ex: Executor, id: string): Promise<GroupRow | undefined> {
  const [row] = await ex.select().from(groups).where(eq(groups.id, id));
  return row;
}

export async function groupNameTaken(ex: Executor, name: string, exceptId = ""): Promise<boolean> {
  const rows = await ex
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.name, name), ne(groups.id, exceptId)));
  return rows.length > 0;
}

/** Every group's fallback, for the cycle check. */
export async function fallbackMap(ex: Executor): Promise<Map<string, string | null>> {
  const rows = await ex.select({ id: groups.id, fallback: groups.fallbackGroupId }).from(groups);
  return new Map(rows.map((r) => [r.id, r.fallback]));
}

/** Every group's rate multiplier (a small table), by group id. */
export async function rateMultipliers(ex: Executor): Promise<Map<string, string>> {
  const rows = await ex.select({ id: groups.id, rate: groups.rateMultiplier }).from(groups);
  return new Map(rows.map((r) => [r.id, r.rate]));
}

export function listGroups(ex: Executor, platform: string | undefined, limit: number, afterId?: string) {
  const conditions: SQL[] = [];
  if (platform) conditions.push(eq(groups.platform, platform));
  if (afterId) conditions.push(gt(groups.id, afterId));
  return ex
    .select()
    .from(groups)
    .where(and(...conditions))
    .orderBy(asc(groups.id))
    .limit(limit);
}

export async function insertGroup(tx: Tx, values: NewGroup): Promise<GroupRow> {
  const [row] = await tx.insert(groups).values(values).returning();
  return row as GroupRow;
}

export async function updateGroup(
  tx: Tx,
  id: string,
  patch: Partial<
    Pick<GroupRow, "name" | "rateMultiplier" | "claudeCodeOnly" | "fallbackGroupId" | "status" | "description">
  >,
  version: number,
): Promise<GroupRow> {
  const [row] = await tx
    .update(groups)
    .set({ ...patch, version, updatedAt: sql`now()` })
    .where(eq(groups.id, id))
    .returning();
  return row as GroupRow;
}

/** What still points at a group: keys using it and groups falling back to it. */
export async function groupDependents(ex: Executor, id: string): Promise<{ keys: number; fallbackOf: string[] }> {
  const [keys] = await ex.select({ n: sql<string>`count(*)::text` }).from(apiKeys).where(eq(apiKeys.groupId, id));
  const fallbackOf = await ex.select({ name: groups.name }).from(groups).where(eq(groups.fallbackGroupId, id));
  return { keys: Number(keys?.n ?? 0), fallbackOf: fallbackOf.map((g) => g.name) };
}

/** Deletes the group and its memberships; returns the accounts that were members (their group_ids changed). */
export async function deleteGroup(tx: Tx, id: string): Promise<string[]> {
  const members = await tx
    .select({ accountId: accountGroups.accountId })
    .from(accountGroups)
    .where(eq(accountGroups.groupId, id));
  await tx.delete(groups).where(eq(groups.id, id));
  return members.map((m) => m.accountId);
}
