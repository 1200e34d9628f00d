import { and, asc, eq, exists, gt, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { Executor, Tx } from "./database.js";
import { accountGroups, accounts, groups } from "./schema/index.js";

export type AccountRow = typeof accounts.$inferSelect;
export type NewAccount = typeof accounts.$inferInsert;

export async function findAccount(ex: Executor, id: string): Promise<AccountRow | undefined> {
  const [row] = await ex.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

/** Any account's sealed credentials, to check the secret key still opens them. */
export async function sampleCredentials(ex: Executor): Promise<string | undefined> {
  const [row] = await ex.select({ credentials: accounts.credentials }).from(accounts).limit(1);
  return row?.credentials;
}

export async function accountNameTaken(ex: Executor, name: string, exceptId = ""): Promise<boolean> {
  const rows = await ex
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.name, name), ne(accounts.id, exceptId)));
  return rows.length > 0;
}

/** Group ids of each account, in a stable order. */
export async function groupIdsOf(ex: Executor, accountIds: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(accountIds.map((id) => [id, []]));
  if (accountIds.length === 0) return result;
  const rows = await ex
    .select()
    .from(accountGroups)
    .where(inArray(accountGroups.accountId, [...accountIds]))
    .orderBy(asc(accountGroups.groupId));
  for (const row of rows) result.get(row.accountId)?.push(row.groupId);
  return result;
}

/** The platform of each existing group among `ids`. */
export async function groupPlatforms(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .select({ id: groups.id, platform: groups.platform })
    .from(groups)
    .where(inArray(groups.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.platform]));
}

export interface AccountFilter {
  platform?: string;
  groupId: string;
  status?: string;
}

export function listAccounts(ex: Executor, filter: AccountFilter, limit: number, afterId?: string) {
  const conditions: SQL[] = [];
  if (filter.platform) conditions.push(eq(accounts.platform, filter.platform));
  if (filter.status) conditions.push(eq(accounts.status, filter.status));
  if (filter.groupId) {
    conditions.push(
      exists(
        ex
          .select({ one: sql`1` })
          .from(accountGroups)
          .where(and(eq(accountGroups.accountId, accounts.id), eq(accountGroups.groupId, filter.groupId))),
      ),
    );
  }
  if (afterId) conditions.push(gt(accounts.id, afterId));
  return ex
    .select()
    .from(accounts)
    .where(and(...conditions))
    .orderBy(asc(accounts.id))
    .limit(limit);
}

export async function insertAccount(tx: Tx, values: NewAccount, groupIds: readonly string[]): Promise<AccountRow> {
  const [row] = await tx.insert(accounts).values(values).returning();
  await setAccountGroups(tx, values.id, groupIds);
  return row as AccountRow;
}

export async function setAccountGroups(tx: Tx, accountId: string, groupIds: readonly string[]): Promise<void> {
  await tx.delete(accountGroups).where(eq(accountGroups.accountId, accountId));
  if (groupIds.length > 0) await tx.insert(accountGroups).values(groupIds.map((groupId) => ({ accountId, groupId })));
}

export type AccountPatch = Partial<
  Omit<NewAccount, "id" | "platform" | "type" | "version" | "createdAt" | "updatedAt">
>;

export async function updateAccount(tx: Tx, id: string, patch: AccountPatch, version: number): Promise<AccountRow> {
  const [row] = await tx
    .update(accounts)
    .set({ ...patch, version, updatedAt: sql`now()` })
    .where(eq(accounts.id, id))
    .returning();
  return row as AccountRow;
}

/** Re-stamps accounts whose pushed view changed indirectly (a group they belonged to was deleted). */
export async function touchAccounts(tx: Tx, ids: readonly string[], version: number): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(accounts)
    .set({ version })
    .where(inArray(accounts.id, [...ids]));
}

export async function deleteAccount(tx: Tx, id: string): Promise<void> {
  await tx.delete(accounts).where(eq(accounts.id, id));
}

/** Runtime state as reported by a data plane; not a config change unless the status changes too. */
export type AccountStatePatch = Pick<
  NewAccount,
  | "tempUnschedulableUntil"
  | "stateReason"
  | "rateLimitedUntil"
  | "overloadedUntil"
  | "lastError"
  | "lastErrorAt"
  | "lastUsedAt"
>;

export async function saveAccountState(ex: Executor, id: string, state: AccountStatePatch): Promise<boolean> {
  const rows = await ex.update(accounts).set(state).where(eq(accounts.id, id)).returning({ id: accounts.id });
  return rows.length > 0;
}

export const CLEARED_STATE: AccountStatePatch = {
  tempUnschedulableUntil: null,
  stateReason: "",
  rateLimitedUntil: null,
  overloadedUntil: null,
  lastError: "",
  lastErrorAt: null,
};
