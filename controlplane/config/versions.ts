import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../db/database.js";
import { configHead, configTombstones } from "../db/schema/index.js";

// Every config change gets one global monotonic version (DESIGN §4). The advisory lock is taken first
// in the writing transaction and held until commit, so versions commit in order: a reader that has
// seen version N never later misses a change below N. NOTIFY is transactional, so other control-plane
// replicas on the same database hear of the change only once it is visible.

const CONFIG_LOCK_KEY = 0x746f6c6c; // "toll"
export const CONFIG_CHANNEL = "tollgate_config";

export type ResourceKindName = "api_key" | "user" | "group" | "account" | "model_price";

/** Serialises config writers and returns the version to stamp on every row this transaction changes. */
export async function beginConfigChange(tx: Tx): Promise<number> {
  // Sent together: PostgreSQL runs a connection's statements in order, so nextval waits for the lock.
  const [, version] = await Promise.all([lockConfig(tx), nextConfigVersion(tx)]);
  return version;
}

/** Held until the transaction ends; every writer of versions takes it before `nextConfigVersion`. */
export async function lockConfig(tx: Tx): Promise<void> {
  await queryRows(tx, sql.raw(`select pg_advisory_xact_lock(${CONFIG_LOCK_KEY})`));
}

/**
 * What a version changed: "usage" when it only stamps billed users and keys with their new quota used
 * and balances (usage/usage-versions.ts), "config" for anything an operator or a data plane changed.
 */
export type ChangeKind = "config" | "usage";

/** The NOTIFY payload of a version: the number, then " usage" for a usage stamp. */
export function changeNotice(version: number, kind: ChangeKind): string {
  return kind === "usage" ? `${version} usage` : String(version);
}

/**
 * A payload read back; no version when there is none (a reconnected listener) or it is not one of
 * ours: the feed then assumes a change.
 */
export function parseChangeNotice(payload: string | undefined): { version: number | undefined; kind: ChangeKind } {
  const [number, kind] = (payload ?? "").split(" ");
  const version = Number(number);
  return {
    version: Number.isSafeInteger(version) && version > 0 ? version : undefined,
    kind: kind === "usage" ? "usage" : "config",
  };
}

/** The next version, recorded as the head and announced on commit; call only under `lockConfig`. */
export async function nextConfigVersion(tx: Tx, kind: ChangeKind = "config"): Promise<number> {
  const [row] = await queryRows<{ v: string }>(tx, sql`select nextval('config_version_seq')::text as v`);
  const version = Number(row?.v);
  await Promise.all([
    tx
      .update(configHead)
      .set(kind === "usage" ? { version } : { version, configVersion: version })
      .where(eq(configHead.id, 1)),
    queryRows(tx, sql`select pg_notify(${CONFIG_CHANNEL}, ${changeNotice(version, kind)})`),
  ]);
  return version;
}

export async function recordTombstones(
  tx: Tx,
  version: number,
  kind: ResourceKindName,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .insert(configTombstones)
    .values(ids.map((id) => ({ kind, id, version })))
    .onConflictDoUpdate({
      target: [configTombstones.kind, configTombstones.id],
      set: { version, createdAt: sql`now()` },
    });
}

/** A resource that exists again (a model price set after being deleted) must not also be reported deleted. */
export async function forgetTombstone(tx: Tx, kind: ResourceKindName, id: string): Promise<void> {
  await tx.delete(configTombstones).where(and(eq(configTombstones.kind, kind), eq(configTombstones.id, id)));
}

export type ConfigHead = typeof configHead.$inferSelect;

export async function readConfigHead(ex: Db | Tx): Promise<ConfigHead> {
  const [head] = await ex.select().from(configHead).where(eq(configHead.id, 1));
  if (!head) throw new Error("config_head row is missing");
  return head;
}

/**
 * Creates the head row on a new database, and gives a changed shipped price table a version of its own
 * so data planes holding older prices take a new snapshot.
 */
export async function initConfigHead(db: Db, defaultPricesHash: string): Promise<boolean> {
  await db.insert(configHead).values({ id: 1 }).onConflictDoNothing();
  return db.transaction(async (tx) => {
    const head = await readConfigHead(tx);
    if (head.defaultPricesHash === defaultPricesHash) return false;
    const version = await beginConfigChange(tx);
    await tx.update(configHead).set({ defaultPricesHash, defaultPricesVersion: version }).where(eq(configHead.id, 1));
    return true;
  });
}

/** Drops tombstones older than `before`; watchers whose version predates them get a snapshot instead. */
export async function pruneTombstones(db: Db, before: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const pruned = await tx
      .delete(configTombstones)
      .where(lt(configTombstones.createdAt, before))
      .returning({ version: configTombstones.version });
    if (pruned.length === 0) return;
    const floor = Math.max(...pruned.map((p) => p.version));
    await tx
      .update(configHead)
      .set({ tombstoneFloor: sql`greatest(${configHead.tombstoneFloor}, ${floor})` })
      .where(eq(configHead.id, 1));
  });
}
