import { spawn } from "node:child_process";
import { getPriority } from "node:os";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.js";
import { BACKGROUND_NICE, lowerDatabasePriority, lowerProcessPriority } from "./background-priority.js";
import { threadIds } from "./proc.js";

// Lowering another user's process (PostgreSQL's) needs root; CI runs as root.
const root = process.getuid?.() === 0;

describe("lowerProcessPriority", () => {
  it("lowers every thread of a running process", async () => {
    // A Node process that has started running JavaScript: its V8 and libuv threads exist by then, and
    // each must be lowered, not only the main thread.
    const child = spawn(process.execPath, ["-e", "console.log('up'); setInterval(() => {}, 1000)"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      await new Promise((resolve) => child.stdout.once("data", resolve));
      expect(lowerProcessPriority(child.pid as number)).toBe(true);
      expect(getPriority(child.pid as number)).toBe(BACKGROUND_NICE);
      const threads = threadIds(child.pid as number);
      expect(threads.length).toBeGreaterThan(1);
      expect(threads.map((tid) => getPriority(tid))).toEqual(threads.map(() => BACKGROUND_NICE));
    } finally {
      child.kill();
    }
  });

  it("says false for a process that does not exist", () => {
    expect(lowerProcessPriority(2 ** 22 + 1)).toBe(false);
  });
});

describe("lowerDatabasePriority", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("lowers the backends serving the database, those connecting later too", async () => {
    const backendPid = async (sql: postgres.Sql) =>
      (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]?.pid;
    const early = postgres(database.url, { max: 1, onnotice: () => {} });
    const late = postgres(database.url, { max: 1, onnotice: () => {} });
    const earlyPid = (await backendPid(early)) as number;
    const priority = await lowerDatabasePriority(database.url, database.name);
    try {
      const latePid = (await backendPid(late)) as number;
      await expect
        .poll(() => getPriority(earlyPid), { timeout: 10_000, interval: 200 })
        .toBe(root ? BACKGROUND_NICE : 0);
      await expect
        .poll(() => getPriority(latePid), { timeout: 10_000, interval: 200 })
        .toBe(root ? BACKGROUND_NICE : 0);
      expect(priority.held).toBe(root);
    } finally {
      await priority.stop();
      await early.end();
      await late.end();
    }
  });
});
