import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Keeps `npm run bench` from rotting unseen: a quick run of one cheap section (usage ingest: a real
// `tollgate controlplane` process on PostgreSQL fed over h2c) must produce a report and a JSON file
// whose numbers are consistent with what the database holds.

const repoRoot = join(import.meta.dirname, "..");
let outDir: string | undefined;

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function bench(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "bench/run.ts"), ...args],
      { cwd: repoRoot, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe("npm run bench -- --quick --only usage-ingest", () => {
  it("writes a report and results whose ingest counts match the database", async () => {
    outDir = await mkdtemp(join(tmpdir(), "tollgate-bench-smoke-"));
    const { stdout } = await bench(["--quick", "--only", "usage-ingest", "--out", outDir]);

    const [runDir] = await readdir(outDir);
    expect(runDir).toBeDefined();
    const results = JSON.parse(await readFile(join(outDir, runDir as string, "results.json"), "utf8"));
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.calibration.start.jsonParseUs).toBeGreaterThan(0);
    expect(results.calibration.end.loopbackRoundTripUs).toBeGreaterThan(0);
    expect(results.sections).toEqual(["usage-ingest"]);
    const [row] = results.usageIngest;
    expect(row.applied).toBeGreaterThan(0);
    expect(row.rowsInDatabase).toBe(row.applied);
    expect(results.targets).toEqual([expect.objectContaining({ target: "usage ingest into PostgreSQL" })]);

    const report = await readFile(join(outDir, runDir as string, "report.md"), "utf8");
    expect(stdout).toBe(report);
    expect(report).toContain("## Usage ingest into PostgreSQL");
    expect(report).toMatch(
      /\| usage ingest into PostgreSQL \| controlplane \| \d+ records\/s \| >= 20000 records\/s \| (PASS|FAIL) \|/,
    );
  });
});
