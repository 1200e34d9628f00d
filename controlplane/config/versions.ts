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
  const [, { version }] = await Promise.all([lockConfig(tx), nextConfigVersion(tx)]);
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

/**
 * A committed version and the last version at or below it that changed more than usage stamps do
 * (config_head.config_version, read under the config lock): a cache of prices or groups is stale
 * exactly when this moved.
 */
export interface Change {
  version: number;
  configVersion: number;
}

/**
 * The NOTIFY payload of a version: the bare number for a config change, whose config version is its
 * own (what earlier releases send and read); `<version> usage <configVersion>` for a usage stamp
 * (earlier releases read the first two).
 */
export function changeNotice({ version, configVersion }: Change): string {
  return configVersion === version ? String(version) : `${version} usage ${configVersion}`;
}

/**
 * A payload read back. No version when there is none (a reconnected listener) or it is not one of
 * ours; no config version when it cannot be known (that, or a usage stamp from an earlier release):
 * the feed then assumes a config change.
 */
export function parseChangeNotice(payload: string | undefined): {
  version: number | undefined;
  configVersion: number | undefined;
} {
  const [number, kind, config] = (payload ?? "").split(" ");
  const version = positive(number);
  if (version === undefined) return { version, configVersion: undefined };
  return { version, configVersion: kind === "usage" ? positive(config) : version };
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The next version, recorded as the head and announced on commit; call only under `lockConfig`. */
export async function nextConfigVersion(tx: Tx, kind: ChangeKind = "config"): Promise<Change> {
  const [row] = await queryRows<{ v: string; c: string }>(
    tx,
    sql`select nextval('config_version_seq')::text as v, (select config_version::text from config_head where id = 1) as c`,
  );
  const version = Number(row?.v);
  const change = { version, configVersion: kind === "usage" ? Number(row?.c ?? 0) : version };
  await Promise.all([
    tx.update(configHead).set(change).where(eq(configHead.id, 1)),
    queryRows(tx, sql`select pg_notify(${CONFIG_CHANNEL}, ${changeNotice(change)})`),
  ]);
  return change;
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
