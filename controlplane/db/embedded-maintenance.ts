import { sql } from "drizzle-orm";
import type { Log } from "../context.js";
import { checkpointDue } from "./checkpoint-plan.js";
import { type Db, queryRows } from "./database.js";
import { maintenancePlan } from "./vacuum-plan.js";

// The jobs of PostgreSQL's autovacuum and checkpointer, which the embedded PGlite (single-user
// PostgreSQL) does not run: vacuum-plan.ts and checkpoint-plan.ts say why and when. PGlite serves one
// statement at a time, so each step holds up ingestion and the admin API while it runs (requests are
// served on another thread); run every minute, each covers only what changed since the last.

const SLOW_MS = 1_000;

/** One pass: vacuums first, since a vacuum writes WAL the checkpoint then covers. */
export async function maintainEmbedded(db: Db, log: Log, signal: AbortSignal): Promise<void> {
  await vacuumWhereNeeded(db, log, signal);
  if (!signal.aborted) await checkpointIfDue(db, log);
}

/** Takes a checkpoint when the WAL or the time since the last one calls for it; says whether it did. */
export async function checkpointIfDue(db: Db, log: Log): Promise<boolean> {
  const [last] = await queryRows<{ wal: string; ms: string }>(
    db,
    sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::bigint::text as wal,
          (extract(epoch from now() - checkpoint_time) * 1000)::bigint::text as ms
        from pg_control_checkpoint()`,
  );
  const wal = Number(last?.wal);
  if (!checkpointDue(wal, Number(last?.ms))) return false;
  const started = performance.now();
  await db.execute(sql`checkpoint`);
  const ms = Math.round(performance.now() - started);
  log({ level: ms >= SLOW_MS ? "info" : "debug", msg: "checkpointed embedded database", walBytes: wal, ms });
  return true;
}

/** Vacuums and analyzes the tables whose counters call for it; returns how many were maintained. */
export async function vacuumWhereNeeded(db: Db, log: Log, signal: AbortSignal): Promise<number> {
  // A backend hands its counters to pg_stat_user_tables at most once a second, when idle: this makes
  // the statement's end hand over all of them, so the plan sees every change made so far.
  await db.execute(sql`select pg_stat_force_next_flush()`);
  const rows = await queryRows<{
    schema: string;
    table: string;
    live: string;
    dead: string;
    inserted: string;
    modified: string;
  }>(
    db,
    sql`select schemaname as schema, relname as "table", n_live_tup::text as live, n_dead_tup::text as dead,
          n_ins_since_vacuum::text as inserted, n_mod_since_analyze::text as modified
        from pg_stat_user_tables order by schemaname, relname`,
  );
  const plan = maintenancePlan(
    rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      liveTuples: Number(r.live),
      deadTuples: Number(r.dead),
      insertedSinceVacuum: Number(r.inserted),
      modifiedSinceAnalyze: Number(r.modified),
    })),
  );
  let done = 0;
  for (const step of plan) {
    if (signal.aborted) break;
    const table = sql`${sql.identifier(step.schema)}.${sql.identifier(step.table)}`;
    const started = performance.now();
    await db.execute(
      step.vacuum ? (step.analyze ? sql`vacuum (analyze) ${table}` : sql`vacuum ${table}`) : sql`analyze ${table}`,
    );
    done++;
    const ms = Math.round(performance.now() - started);
    // Routine passes are quick; one long enough to be felt as a pause is worth an operator's eye.
    log({
      level: ms >= SLOW_MS ? "info" : "debug",
      msg: step.vacuum ? "vacuumed embedded table" : "analyzed embedded table",
      table: `${step.schema}.${step.table}`,
      analyzed: step.analyze,
      ms,
    });
  }
  return done;
}
