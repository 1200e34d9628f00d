import type { Db } from "../db/database.js";
import { deleteUsageLogsBefore } from "../db/usage-logs.js";

// TOLLGATE_USAGE_RETENTION_DAYS: raw usage logs older than this are deleted; the hourly and daily
// rollups keep their sums, so stats over whole hours stay complete while ListUsageLogs, and the
// minutes at the edges of an unaligned stats range, only see what is kept. Deleted in bounded batches,
// so a first prune of a large table never holds one long transaction.

const PRUNE_BATCH = 5_000;

/** Deletes every log created before `before`, `batchSize` at a time, until none is left or `signal` aborts. */
export async function pruneUsageLogs(
  db: Db,
  before: Date,
  signal: AbortSignal,
  batchSize = PRUNE_BATCH,
): Promise<number> {
  let pruned = 0;
  while (!signal.aborted) {
    const deleted = await deleteUsageLogsBefore(db, before, batchSize);
    pruned += deleted;
    if (deleted < batchSize) break;
  }
  return pruned;
}
