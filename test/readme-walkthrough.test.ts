import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";

// The README's walkthrough must work as written: this runs its shell blocks (marked
// `<!-- walkthrough -->`) against `tollgate start` with its embedded defaults (PGlite, in-memory
// store), changing only the addresses and the data dir.

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "..");

let sim: UpstreamSim;
let gateway: ChildProcess;
let dataDir: string;
let urls: { gateway: string; admin: string };
let exitCode: Promise<number | null>;

async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/<!-- walkthrough -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks.length).toBeGreaterThan(0);
  return blocks
    .join("\n")
    .replace(/^ADMIN=\S+/m, `ADMIN=${urls.admin}`)
    .replace(/^GATEWAY=\S+/m, `GATEWAY=${urls.gateway}`)
    .replace(/^SIM=\S+/m, `SIM=${sim.url}`)
    .replace("$(cat data/admin-token)", `$(cat ${join(dataDir, "admin-token")})`);
}

beforeAll(async () => {
  sim = await startUpstreamSim({ quiet: true });
  dataDir = await mkdtemp(join(tmpdir(), "tollgate-readme-"));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.TOLLGATE_ADMIN_TOKEN;
  gateway = spawn(process.execPath, ["bin/tollgate.js", "start"], {
    cwd: repoRoot,
    env: {
      ...env,
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exitCode = new Promise((resolve) => gateway.once("exit", (code) => resolve(code)));
  urls = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`tollgate start did not come up:\n${out}`)), 60_000);
    gateway.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /data plane on (\S+), admin API and web admin on (\S+),/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ gateway: m[1] as string, admin: m[2] as string });
      }
    });
    gateway.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    gateway.once("exit", (code) => reject(new Error(`tollgate start exited with ${code}:\n${out}`)));
  });
}, 90_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill("SIGKILL");
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("README walkthrough", () => {
  it("runs as written against npm start's embedded defaults", async () => {
    const script = await walkthroughScript();
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], { cwd: repoRoot, timeout: 60_000 });

    expect(stdout).toContain("the key, shown once: sk-tg-");
    expect(stdout).toContain(`"${sim.url}"`);
    expect(stdout).toContain("Hello from upstream-sim.");
    expect(stdout).toContain("event: message_stop");
    const logs = stdout
      .split("\n")
      .filter((line) => line.startsWith('{"model"'))
      .map((line) => JSON.parse(line) as { model: string; inputTokens: string; outputTokens: string; costUsd: string });
    expect(logs).toHaveLength(2);
    for (const log of logs) {
      expect(log.model).toBe("claude-opus-4-8");
      expect(Number(log.inputTokens)).toBeGreaterThan(0);
      expect(Number(log.outputTokens)).toBeGreaterThan(0);
      expect(Number(log.costUsd)).toBeGreaterThan(0);
    }
    const balance = stdout.trim().split("\n").at(-1) as string;
    expect(balance).toMatch(/^9\.9\d+$/);
  }, 90_000);

  it("stops cleanly on SIGTERM", async () => {
    gateway.kill("SIGTERM");
    expect(await exitCode).toBe(0);
  }, 30_000);
});
