import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { statFieldsAfterName } from "../bench/proc.js";
import { BASE_DATABASE_URL } from "./support/postgres.js";

// Keeps `npm run bench` from rotting unseen: quick runs of two cheap sections must produce a report
// and a JSON file whose numbers are consistent. Usage ingest: a real `tollgate controlplane` process on
// PostgreSQL fed over h2c, its counts checked against the database. Slow streams: direct and a data
// plane (on its own control plane) carry every stream, and the data plane's usage is applied before
// the section moves on. Stopped with SIGTERM mid-run, it leaves no process or database behind.

const repoRoot = join(import.meta.dirname, "..");
const outDirs: string[] = [];

afterAll(async () => {
  for (const dir of outDirs) await rm(dir, { recursive: true, force: true });
});

async function newOutDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-bench-smoke-"));
  outDirs.push(dir);
  return dir;
}

function bench(args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "bench/run.ts"), ...args],
      { cwd: repoRoot, timeout: timeoutMs },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe("npm run bench -- --quick --only usage-ingest", () => {
  it("writes a report and results whose ingest counts match the database", async () => {
    const outDir = await newOutDir();
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
    // Past bench()'s own 60 s limit, so a slow run fails with the bench's output, not a bare test
    // timeout (the suite's default, 30 s; the run took 10-14 s on a 2-core machine).
  }, 90_000);
});

describe("npm run bench -- --quick --only slow-streams --contenders direct,dataplane", () => {
  it("completes every stream through both and applies the data plane's usage before moving on", async () => {
    const outDir = await newOutDir();
    const v8Log = join(outDir, "v8-{name}.log");
    const nodeFlags = `--log-deopt --logfile=${v8Log} --no-logfile-per-isolate`;
    const args = ["--quick", "--only", "slow-streams", "--contenders", "direct,dataplane", `--node-flags=${nodeFlags}`];
    await bench([...args, "--out", outDir], 120_000);

    const runDir = (await readdir(outDir)).find((name) => !name.endsWith(".log")) as string;
    const results = JSON.parse(await readFile(join(outDir, runDir, "results.json"), "utf8"));
    expect(results.sections).toEqual(["slow-streams"]);
    // The flags reached the data plane, {name} replaced, and the report says they were on.
    expect(await readFile(v8Log.replace("{name}", "dataplane"), "utf8")).toMatch(/^v8-version,/);
    expect(results.nodeFlags).toEqual(nodeFlags.split(" "));
    expect(await readFile(join(outDir, runDir, "report.md"), "utf8")).toContain(`ran with \`${nodeFlags}\``);
    const rows = new Map<string, Record<string, unknown>>(
      results.slowStreams.map((row: { contender: string }) => [row.contender, row]),
    );
    expect([...rows.keys()].sort()).toEqual(["dataplane", "direct"]);
    for (const row of rows.values()) {
      expect(row.completed).toBe(row.streams);
      expect(row.failed).toBe(0);
      expect(row.usageDrained).toBe(true);
    }
    expect(rows.get("dataplane")?.rssPeakMb).toBeGreaterThan(0);
    expect(results.targets.map((t: { target: string }) => t.target)).toContain(
      "chunk forwarding delay p99 with all 100 streams open (over direct)",
    );
    // Two Tollgate processes start and stop: on two cores shared with the rest of the suite, well
    // past the default test timeout.
  }, 150_000);
});

/** The processes whose parent is `pid`, with their command lines (Linux /proc). */
async function childrenOf(pid: number): Promise<Map<number, string>> {
  const children = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const [, parent] = statFieldsAfterName(stat);
    if (Number(parent) !== pid) continue;
    children.set(Number(entry), await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => ""));
  }
  return children;
}

/** Running, as opposed to gone or a zombie nobody reaped (a container's init may not). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat !== undefined && statFieldsAfterName(stat)[0] !== "Z";
}

describe("npm run bench, stopped with SIGTERM", () => {
  it("stops every process it started and drops its database before it exits", async () => {
    const outDir = await newOutDir();
    const args = ["--quick", "--only", "latency", "--contenders", "dataplane", "--out", outDir];
    const run = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "bench/run.ts"), ...args], {
      cwd: repoRoot,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => run.once("exit", (code) => resolve(code)));
    // Once the data plane's control plane runs (its database made, upstream-sim up): the processes the
    // run started, and that database. Not esbuild, tsx's compiler, a child from the start that exits by
    // itself once its parent's pipe closes.
    let started: number[] = [];
    let databaseName: string | undefined;
    for (let waited = 0; databaseName === undefined && waited < 60_000; waited += 100) {
      await sleep(100);
      const children = await childrenOf(run.pid as number);
      const controlPlane = [...children].find(([, command]) => command.includes("controlplane"));
      if (!controlPlane) continue;
      const environ = await readFile(`/proc/${controlPlane[0]}/environ`, "utf8");
      const url = environ.split("\0").find((entry) => entry.startsWith("DATABASE_URL="));
      databaseName = url && new URL(url.slice("DATABASE_URL=".length)).pathname.slice(1);
      started = [...children].filter(([, command]) => !command.includes("esbuild")).map(([pid]) => pid);
    }
    expect(databaseName).toMatch(/^tollgate_t_/);
    expect(started.length).toBeGreaterThan(1);

    run.kill("SIGTERM");
    expect(await exited).toBe(143);
    const left: number[] = [];
    for (const pid of started) if (await running(pid)) left.push(pid);
    expect(left).toEqual([]);
    const sql = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`select datname from pg_database where datname = ${databaseName as string}`).toEqual([]);
    } finally {
      await sql.end();
    }
  }, 90_000);
});
