import { existsSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import postgres from "postgres";
import { threadIds } from "./proc.js";

// The control plane the separate data planes share, and its PostgreSQL connections, run at the lowest
// CPU priority. They are the data planes' environment, not what is measured: the control plane shares
// the load CPU with wrk and upstream-sim, PostgreSQL runs wherever the scheduler puts it, and their
// bursts of usage ingest and config publication ran in the data planes' rounds only (the floor has no
// control plane). Paced at 500 req/s, the data plane's p99 over the floor's had a median of +2.4 ms
// over twelve runs as they were and +1.2 over ten with both lowered (bench/README.md). Niced, they
// use what CPU the measured path leaves.

export const BACKGROUND_NICE = 19;

/** Every thread of a process to nice 19 (threads it starts later inherit it); says whether it holds. */
export function lowerProcessPriority(pid: number): boolean {
  try {
    for (const tid of threadIds(pid)) setPriority(tid, BACKGROUND_NICE);
    return getPriority(pid) === BACKGROUND_NICE;
  } catch {
    return false;
  }
}

export interface DatabasePriority {
  /** Whether every connection was lowered so far (false without the right to renice PostgreSQL's, or once a look failed). */
  readonly held: boolean;
  stop(): Promise<void>;
}

// The control plane opens connections as its load needs them: new ones are looked for this often.
const RECHECK_MS = 2_000;

/**
 * Keeps the PostgreSQL backends serving a database at nice 19 until stopped, those that connect later
 * included. Lowering another user's processes needs root (CAP_SYS_NICE): without it `held` is false.
 */
export async function lowerDatabasePriority(databaseUrl: string, database: string): Promise<DatabasePriority> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const lowered = new Set<number>();
  let held = true;
  const sweep = async () => {
    const rows = await sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
    for (const { pid } of rows) {
      if (lowered.has(pid)) continue;
      lowered.add(pid);
      // A connection that closed meanwhile has nothing left to lower.
      if (!lowerProcessPriority(pid) && existsSync(`/proc/${pid}`)) held = false;
    }
  };
  await sweep();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    // A sweep that failed may have missed a connection: the report must not say it held.
    running = running.then(sweep).catch(() => {
      held = false;
    });
  }, RECHECK_MS);
  timer.unref();
  return {
    get held() {
      return held;
    },
    async stop() {
      clearInterval(timer);
      await running;
      await sql.end();
    },
  };
}
