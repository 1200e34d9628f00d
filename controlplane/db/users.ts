import { and, asc, eq, gt, ilike, ne, or, type SQL, sql } from "drizzle-orm";
import { type Atto, formatDecimal } from "../../common/money.js";
import type { Executor, Tx } from "./database.js";
import { apiKeys, users } from "./schema/index.js";
import { containsPattern } from "./text-search.js";

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

export async function findUser(ex: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.id, id));
  return row;
}

/** Emails are unique case-insensitively. */
export async function emailTaken(ex: Executor, email: string, exceptId = ""): Promise<boolean> {
  const rows = await ex
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${email})`, ne(users.id, exceptId)));
  return rows.length > 0;
}

export interface UserFilter {
  query: string;
  status?: string;
}

export function listUsers(ex: Executor, filter: UserFilter, limit: number, afterId?: string) {
  const conditions: (SQL | undefined)[] = [];
  if (filter.query) {
    const pattern = containsPattern(filter.query);
    conditions.push(or(ilike(users.email, pattern), ilike(users.name, pattern)));
  }
  if (filter.status) conditions.push(eq(users.status, filter.status));
  if (afterId) conditions.push(gt(users.id, afterId));
  return ex
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(users.id))
    .limit(limit);
}

export async function insertUser(tx: Tx, values: NewUser): Promise<UserRow> {
  const [row] = await tx.insert(users).values(values).returning();
  return row as UserRow;
}

export async function updateUser(
  tx: Tx,
  id: string,
  patch: Partial<Pick<UserRow, "email" | "name" | "status" | "concurrency">>,
  version: number,
): Promise<UserRow> {
  const [row] = await tx
    .update(users)
    .set({ ...patch, version, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return row as UserRow;
}

/** Adds a signed amount in SQL numeric, so concurrent adjustments and usage debits never overwrite each other. */
export async function addToBalance(tx: Tx, id: string, amount: Atto, version: number): Promise<UserRow> {
  const [row] = await tx
    .update(users)
    .set({ balance: sql`${users.balance} + ${formatDecimal(amount)}::numeric`, version, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return row as UserRow;
}

/** Deletes the user and (by cascade) their keys; returns the ids of those keys. Usage logs stay. */
export async function deleteUser(tx: Tx, id: string): Promise<string[]> {
  const keys = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, id));
  await tx.delete(users).where(eq(users.id, id));
  return keys.map((k) => k.id);
}
