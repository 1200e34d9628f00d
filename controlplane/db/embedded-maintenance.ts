import type { PGlite } from "@electric-sql/pglite";
import type { Log } from "../context.js";
import { checkpointDue } from "./checkpoint-plan.js";
import { maintenancePlan } from "./vacuum-plan.js";

// The jobs of PostgreSQL's autovacuum and checkpointer, which the embedded PGlite (single-user
// PostgreSQL) does not run: vacuum-plan.ts and checkpoint-plan.ts say why and when. database.ts runs
// this as PGlite's Database.maintain. PGlite serves one statement at a time, so each step holds up
// ingestion and the admin API while it runs (requests are served on another thread); run every
// minute, each covers only what changed since the last. Straight on the client: statements run once a
// minute have no place among the named ones (pglite-statements.ts).

const SLOW_MS = 1_000;

/** One pass: vacuums first, since a vacuum writes WAL the checkpoint then covers. */
export async function maintainEmbedded(pg: PGlite, log: Log, signal: AbortSignal): Promise<void> {
  await vacuumWhereNeeded(pg, log, signal);
  if (!signal.aborted) await checkpointIfDue(pg, log);
}

async function vacuumWhereNeeded(pg: PGlite, log: Log, signal: AbortSignal): Promise<void> {
  // A backend hands its counters to pg_stat_user_tables at most once a second, when idle: this makes
  // the statement's end hand over all of them, so the plan sees every change made so far.
  await pg.query("select pg_stat_force_next_flush()");
  const { rows } = await pg.query<{
    schema: string;
    table: string;
    live: number;
    dead: number;
    inserted: number;
    modified: number;
  }>(
    `select schemaname as schema, relname as "table", n_live_tup::float8 as live, n_dead_tup::float8 as dead,
       n_ins_since_vacuum::float8 as inserted, n_mod_since_analyze::float8 as modified
     from pg_stat_user_tables order by schemaname, relname`,
  );
  const plan = maintenancePlan(
    rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      liveTuples: r.live,
      deadTuples: r.dead,
      insertedSinceVacuum: r.inserted,
      modifiedSinceAnalyze: r.modified,
    })),
  );
  for (const step of plan) {
    if (signal.aborted) return;
    const table = `${quoteIdentifier(step.schema)}.${quoteIdentifier(step.table)}`;
    const command = !step.vacuum ? "analyze" : step.analyze ? "vacuum (analyze)" : "vacuum";
    const started = performance.now();
    await pg.query(`${command} ${table}`);
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
}

async function checkpointIfDue(pg: PGlite, log: Log): Promise<void> {
  const {
    rows: [last],
  } = await pg.query<{ wal: number; ms: number }>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::float8 as wal,
       (extract(epoch from now() - checkpoint_time) * 1000)::float8 as ms
     from pg_control_checkpoint()`,
  );
  if (!last || !checkpointDue(last.wal, last.ms)) return;
  const started = performance.now();
  await pg.query("checkpoint");
  const ms = Math.round(performance.now() - started);
  log({ level: ms >= SLOW_MS ? "info" : "debug", msg: "checkpointed embedded database", walBytes: last.wal, ms });
}

/** A PostgreSQL identifier, quoted: table names come from the catalog, not from users, but may need it. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
