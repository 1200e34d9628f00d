// The embedded PGlite runs PostgreSQL in single-user mode, where no autovacuum runs: deleted rows
// (usage retention, pruned tombstones) never free their space for reuse, so the database only grows,
// and the planner never gets statistics. embedded-maintenance.ts does autovacuum's job on a timer; this is
// its decision, with autovacuum's default thresholds, so a table is vacuumed when PostgreSQL's own
// daemon would have done it.

/** A table's counters from pg_stat_user_tables. */
export interface TableActivity {
  schema: string;
  table: string;
  liveTuples: number;
  deadTuples: number;
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

export interface TableMaintenance {
  schema: string;
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

// autovacuum_vacuum_threshold / _scale_factor, the insert variants (PostgreSQL 13+: an append-only
// table is vacuumed too, which sets its visibility map and free space map) and the analyze ones.
const VACUUM_THRESHOLD = 50;
const VACUUM_SCALE = 0.2;
const INSERT_THRESHOLD = 1000;
const INSERT_SCALE = 0.2;
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE = 0.1;

/** The tables that need a vacuum, an analyze or both, in the order given. */
export function maintenancePlan(tables: readonly TableActivity[]): TableMaintenance[] {
  const plan: TableMaintenance[] = [];
  for (const t of tables) {
    const live = Math.max(0, t.liveTuples);
    const vacuum =
      t.deadTuples > VACUUM_THRESHOLD + VACUUM_SCALE * live ||
      t.insertedSinceVacuum > INSERT_THRESHOLD + INSERT_SCALE * live;
    const analyze = t.modifiedSinceAnalyze > ANALYZE_THRESHOLD + ANALYZE_SCALE * live;
    if (vacuum || analyze) plan.push({ schema: t.schema, table: t.table, vacuum, analyze });
  }
  return plan;
}
