// PGlite's single-user PostgreSQL has no checkpointer either: while it runs, no checkpoint is taken,
// so every WAL segment since start is kept (the disk fills at the pace usage is written) and a process
// killed after a long run replays all of it before it serves again. embedded-maintenance.ts takes a
// checkpoint when this says the checkpointer would have.

/** WAL since the last checkpoint that calls for one (max_wal_size's default is 1 GB; replaying this
 * much after a kill takes a fraction of a second: 435 MB added 1.2 s to reopening on a 2-core VM). */
export const CHECKPOINT_WAL_BYTES = 64 * 1024 * 1024;
/** checkpoint_timeout's default. */
export const CHECKPOINT_AGE_MS = 5 * 60_000;
/** Below this, a timed checkpoint is not worth its writes: replaying it is instant. */
const IDLE_WAL_BYTES = 1024 * 1024;

export function checkpointDue(walBytesSinceCheckpoint: number, msSinceCheckpoint: number): boolean {
  if (walBytesSinceCheckpoint >= CHECKPOINT_WAL_BYTES) return true;
  return msSinceCheckpoint >= CHECKPOINT_AGE_MS && walBytesSinceCheckpoint >= IDLE_WAL_BYTES;
}
