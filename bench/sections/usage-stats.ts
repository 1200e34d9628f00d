import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import postgres from "postgres";
import { openDatabase } from "../../controlplane/db/database.js";
import { type StatsTiming, timeUsageStats, usageStatsQueries } from "../../controlplane/usage/stats-timing.js";
import { seedSyntheticUsage } from "../../controlplane/usage/synthetic-usage.js";
import { UsageService } from "../../gen/tollgate/admin/v1/usage_pb.js";
import { BASE_DATABASE_URL } from "../../test/support/postgres.js";
import { REPO_ROOT } from "../child.js";
import { newTokens, startControlPlaneProcess } from "../tollgate-processes.js";

// GetUsageStats over a million usage logs (the accounting issue's figure): a `tollgate controlplane`
// on a database of synthetic logs and their rollups, queried as the web admin's dashboard and an
// admin would. Seeding a million rows takes minutes, so the seeded database is kept between runs,
// named after the row count and the migration set (a schema change seeds a new one).

export interface UsageStatsSettings {
  rows: number;
}

export interface UsageStatsResult {
  rows: number;
  database: string;
  /** Undefined when an earlier run's database was reused. */
  seededMs: number | undefined;
  timings: StatsTiming[];
}

const SEEDED_MARK = "bench_seeded";

function databaseName(rows: number): string {
  const migrations = readdirSync(join(REPO_ROOT, "controlplane/db/migrations")).filter((f) => f.endsWith(".sql"));
  return `tollgate_bench_usage_${rows}_m${migrations.length}`;
}

function urlOf(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * When an earlier run finished seeding this database, the end of its synthetic logs. Otherwise the
 * database is made empty (created, or dropped and created again: a seed cut short would collide with
 * the next one on request ids) and undefined returned.
 */
async function seededEndOrEmpty(name: string): Promise<Date | undefined> {
  const existing = await markedEnd(name);
  if (existing !== null) return existing;
  const admin = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return undefined;
}

/** The seeded end in an existing database's mark; null when there is no such database or no mark. */
async function markedEnd(name: string): Promise<Date | null> {
  const admin = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    if ((await admin`select 1 from pg_database where datname = ${name}`).length === 0) return null;
  } finally {
    await admin.end();
  }
  const db = postgres(urlOf(name), { max: 1, onnotice: () => {} });
  try {
    const mark = await db`select to_regclass(${SEEDED_MARK}) as t`;
    if (!mark[0]?.t) return null;
    const rows = await db.unsafe(`select seeded_end from ${SEEDED_MARK}`);
    return rows[0] ? new Date(rows[0].seeded_end as string) : null;
  } finally {
    await db.end();
  }
}

export async function runUsageStats(
  settings: UsageStatsSettings,
  logDir: string,
  workDir: string,
  log: (line: string) => void,
): Promise<UsageStatsResult> {
  const name = databaseName(settings.rows);
  const databaseUrl = urlOf(name);
  const earlier = await seededEndOrEmpty(name);
  const tokens = newTokens();
  // The control plane migrates the database when it starts.
  const cp = await startControlPlaneProcess({ name: "controlplane-stats", tokens, databaseUrl, logDir, workDir });
  try {
    let end = earlier;
    let seededMs: number | undefined;
    if (!end) {
      log(`  seeding ${settings.rows} synthetic usage logs into ${name} (kept for later runs)`);
      const started = performance.now();
      const seeding = await openDatabase({ databaseUrl, pgliteDir: "" });
      try {
        end = (await seedSyntheticUsage(seeding.db, { rows: settings.rows })).end;
      } finally {
        await seeding.close();
      }
      seededMs = performance.now() - started;
      const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await db.unsafe(`create table ${SEEDED_MARK} (seeded_end timestamptz not null)`);
        await db.unsafe(`insert into ${SEEDED_MARK} values ('${end.toISOString()}')`);
      } finally {
        await db.end();
      }
    } else {
      log(`  reusing ${name}, seeded by an earlier run`);
    }
    const bearer: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${tokens.TOLLGATE_ADMIN_TOKEN}`);
      return next(req);
    };
    const client = createClient(
      UsageService,
      createConnectTransport({ baseUrl: cp.adminUrl, httpVersion: "1.1", interceptors: [bearer] }),
    );
    const timings = await timeUsageStats(client, usageStatsQueries(end, "syn-key-7"));
    return { rows: settings.rows, database: name, seededMs, timings };
  } finally {
    await cp.child.stop();
  }
}
