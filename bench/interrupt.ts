import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.js";
import { createTestPrefix, type TestRedisPrefix } from "../test/support/redis.js";
import { stopAllChildren } from "./child.js";

// A run stopped early (Ctrl-C, SIGTERM) leaves nothing behind: it stops every process it started
// (child.ts), drops the databases and Redis keys it made and removes its scratch folder before it
// exits. A signal's default action would leave the processes running, with their ports and database
// connections, and the databases on the server.

const undos = new Set<() => Promise<void>>();
// PostgreSQL or Redis not answering must not keep an interrupted run from exiting.
const UNDO_LIMIT_MS = 10_000;

/** Exits with the shell's code for the signal once what the run made outside itself is undone. */
export function exitWhenInterrupted(): void {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      stopAllChildren();
      const undone = Promise.allSettled([...undos].map((undo) => undo()));
      void Promise.race([undone, sleep(UNDO_LIMIT_MS)]).then(() => process.exit(code));
    });
  }
}

/** `undo`, to be called by the run when it is done; run on an interruption if the run has not called it. */
function undoneOnInterrupt(undo: () => Promise<void>): () => Promise<void> {
  undos.add(undo);
  return () => {
    undos.delete(undo);
    return undo();
  };
}

/**
 * A database of the run's own: dropped by the run, or on an interruption. The undo is known before
 * the database exists: a signal while CREATE DATABASE runs drops it once made, rather than leaving it.
 */
export async function runDatabase(): Promise<TestDatabase> {
  const creating = createTestDatabase();
  const drop = undoneOnInterrupt(async () => (await creating).drop());
  return { ...(await creating), drop };
}

/** A Redis key prefix of the run's own: its keys deleted by the run, or on an interruption. */
export function runRedisPrefix(): TestRedisPrefix {
  const prefix = createTestPrefix();
  return { ...prefix, cleanup: undoneOnInterrupt(() => prefix.cleanup()) };
}

/**
 * The run's scratch folder (request bodies, wrk scripts, its processes' files): removed by the run, or
 * on an interruption.
 */
export function runWorkDir(): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-bench-"));
  return { dir, remove: undoneOnInterrupt(() => rm(dir, { recursive: true, force: true })) };
}
