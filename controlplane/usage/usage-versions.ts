import type { ChangeFeed } from "../config/change-feed.js";
import { type Change, lockConfig, nextConfigVersion } from "../config/versions.js";
import { billingPending, lockPendingBilling, stampBilling } from "../db/billing.js";
import type { Db } from "../db/database.js";
import { CoalescedRuns } from "./coalesced-runs.js";

// Data planes learn quota_used and balances through config versions (DESIGN §4), but a version per
// usage batch would serialise ingestion on the config lock and make every watcher re-read a delta per
// batch. So ingestion only marks the users and keys it billed (db/billing.ts), and this stamps all
// marked rows with one version, at most once per interval: the lock is held for that one short
// transaction, versions still commit in order, and each data plane reads one delta per interval
// whatever the ingestion rate. ReportUsage acks a batch once a stamp that began after its commit has
// committed, so an ack still means "billed and published", as the data plane's spend guard expects.

/** Stamps every billed-but-unpublished user and key with one new version; undefined when there were none. */
export async function stampBilledRows(db: Db): Promise<Change | undefined> {
  if (!(await billingPending(db))) return undefined;
  return db.transaction(async (tx) => {
    // One write: the lock is taken before the rows, as PostgreSQL runs them in order.
    const [, locked] = await Promise.all([lockConfig(tx), lockPendingBilling(tx)]);
    if (locked.users.length === 0 && locked.keys.length === 0) return undefined;
    const change = await nextConfigVersion(tx, "usage");
    await stampBilling(tx, locked, change.version);
    return change;
  });
}

export class UsageVersions {
  readonly #runs: CoalescedRuns;

  constructor(db: Db, feed: ChangeFeed, intervalMs: number) {
    this.#runs = new CoalescedRuns(async () => {
      const change = await stampBilledRows(db);
      if (change) feed.publish(change.version, change.configVersion);
    }, intervalMs);
  }

  /** Resolves once everything billed before the call is stamped with a committed version. */
  published(): Promise<void> {
    return this.#runs.request();
  }

  close(): Promise<void> {
    return this.#runs.close();
  }
}
