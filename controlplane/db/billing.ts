import { sql } from "drizzle-orm";
import { formatDecimal } from "../../common/money.js";
import type { KeyCharge, UserCharge } from "../usage/billing-deltas.js";
import { type Db, queryRows, type Tx } from "./database.js";

// Billing's writes to users and keys. They change balance and quota_used without a config version and
// mark the row `usage_pending`; usage/usage-versions.ts stamps marked rows with a version later, so
// ingestion never waits on the config lock.
//
// Lock order, kept by every writer here so concurrent batches and the stamper never deadlock:
// rollup buckets (sorted), then users by id, then keys by id.

// The rows are locked in id order by the `locked` sub-select (its sort runs before its row locks), and
// only then updated: the update touches nothing it has not locked already.

/** Takes each user's spend from their balance. */
export async function chargeUsers(tx: Tx, charges: readonly UserCharge[]): Promise<void> {
  const spending = charges.filter((c) => c.actualCost !== 0n);
  if (spending.length === 0) return;
  const json = JSON.stringify(spending.map((c) => ({ id: c.id, cost: formatDecimal(c.actualCost) })));
  await queryRows(
    tx,
    sql`with d as (select * from json_to_recordset(${json}::json) as d(id text, cost numeric)),
          locked as (select u.id from users u join d on u.id = d.id order by u.id for update of u)
        update users u set balance = u.balance - d.cost, usage_pending = true
        from d where u.id = d.id and u.id in (select id from locked)`,
  );
}

/** Adds each key's spend to its quota_used and moves its last_used_at forward. */
export async function chargeKeys(tx: Tx, charges: readonly KeyCharge[]): Promise<void> {
  if (charges.length === 0) return;
  const json = JSON.stringify(
    charges.map((c) => ({ id: c.id, cost: formatDecimal(c.actualCost), last_used_at: c.lastUsedAt.toISOString() })),
  );
  // last_used_at is not part of the data planes' config, so a free request marks nothing for them.
  await queryRows(
    tx,
    sql`with d as (select * from json_to_recordset(${json}::json) as d(id text, cost numeric, last_used_at timestamptz)),
          locked as (select k.id from api_keys k join d on k.id = d.id order by k.id for update of k)
        update api_keys k set quota_used = k.quota_used + d.cost,
          last_used_at = greatest(k.last_used_at, d.last_used_at),
          usage_pending = k.usage_pending or d.cost <> 0
        from d where k.id = d.id and k.id in (select id from locked)`,
  );
}

/** Whether any row waits for a version stamp; cheap (partial indexes), so idle stampers skip the lock. */
export async function billingPending(db: Db): Promise<boolean> {
  const [row] = await queryRows<{ pending: boolean }>(
    db,
    sql`select exists (select 1 from users where usage_pending)
          or exists (select 1 from api_keys where usage_pending) as pending`,
  );
  return row?.pending === true;
}

/** Locks the users and keys billing marked, in lock order; call under the config lock. */
export async function lockPendingBilling(tx: Tx): Promise<{ users: string[]; keys: string[] }> {
  // One write; PostgreSQL still locks users before keys.
  const [users, keys] = await Promise.all([
    queryRows<{ id: string }>(tx, sql`select id from users where usage_pending order by id for update`),
    queryRows<{ id: string }>(tx, sql`select id from api_keys where usage_pending order by id for update`),
  ]);
  return { users: users.map((r) => r.id), keys: keys.map((r) => r.id) };
}

/** Stamps `version` on the rows `lockPendingBilling` returned and clears their marks. */
export async function stampBilling(tx: Tx, locked: { users: string[]; keys: string[] }, version: number) {
  await Promise.all([
    locked.users.length > 0 &&
      queryRows(
        tx,
        sql`update users set version = ${version}, usage_pending = false
            where id in (select json_array_elements_text(${JSON.stringify(locked.users)}::json))`,
      ),
    locked.keys.length > 0 &&
      queryRows(
        tx,
        sql`update api_keys set version = ${version}, usage_pending = false
            where id in (select json_array_elements_text(${JSON.stringify(locked.keys)}::json))`,
      ),
  ]);
}
