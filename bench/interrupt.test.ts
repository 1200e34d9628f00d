import { existsSync } from "node:fs";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { runModuleScript } from "../test/support/module-script.js";
import { BASE_DATABASE_URL } from "../test/support/postgres.js";

// An interrupted bench leaves no database behind, also one it was creating when the signal came, and
// no scratch folder.

const admin = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
afterAll(() => admin.end());

describe("bench/interrupt.ts", () => {
  it("drops a database whose creation was under way when SIGTERM came, then exits 143", async () => {
    // The signal is sent while CREATE DATABASE is still on its way: the handler runs a turn later.
    const script = `
      const { exitWhenInterrupted, runDatabase } = await import(${JSON.stringify(new URL("./interrupt.js", import.meta.url).href)});
      exitWhenInterrupted();
      runDatabase().then((database) => process.stdout.write(database.name + "\\n"));
      process.kill(process.pid, "SIGTERM");
    `;
    const { code, stdout, stderr } = await runModuleScript(script);
    expect(code, stderr).toBe(143);
    // The name is printed once the database exists, which happens only after the signal was handled.
    const name = stdout.trim();
    expect(name).toMatch(/^tollgate_t_[0-9a-f]{12}$/);
    const left = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    expect(left).toHaveLength(0);
  });

  it("removes the run's scratch folder when SIGINT comes, then exits 130", async () => {
    const script = `
      const { writeFileSync } = await import("node:fs");
      const { exitWhenInterrupted, runWorkDir } = await import(${JSON.stringify(new URL("./interrupt.js", import.meta.url).href)});
      exitWhenInterrupted();
      const { dir } = runWorkDir();
      writeFileSync(dir + "/body.json", "{}");
      process.stdout.write(dir + "\\n");
      process.kill(process.pid, "SIGINT");
      setTimeout(() => {}, 10_000);
    `;
    const { code, stdout, stderr } = await runModuleScript(script);
    expect(code, stderr).toBe(130);
    const dir = stdout.trim();
    expect(dir).toMatch(/tollgate-bench-/);
    expect(existsSync(dir)).toBe(false);
  });
});
