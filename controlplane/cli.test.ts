import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.js";

// `tollgate controlplane` as a process: configuration from the environment, one clear line for a bad
// one, clean exit on SIGTERM.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUN = `import { runControlPlaneCommand } from "./controlplane/cli.ts"; await runControlPlaneCommand(process.argv.slice(1));`;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const scratch = mkdtempSync(join(tmpdir(), "tollgate-cli-"));

function start(env: Record<string, string>, args: string[] = []): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", RUN, "--", ...args], {
    cwd: ROOT,
    // Never the default ./data: a run must not leave secrets in the checkout.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TOLLGATE_DATA_DIR: scratch, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

describe("tollgate controlplane", () => {
  const cleanup: (() => Promise<void>)[] = [() => rm(scratch, { recursive: true, force: true })];
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  it.each([
    [{ TOLLGATE_PLANE_PORT: "http" }, [], 'TOLLGATE_PLANE_PORT must be a port number (0-65535), got "http"'],
    [{ DATABASE_URL: "mysql://db" }, [], "DATABASE_URL must be a postgres://"],
    [{}, ["--port"], 'unknown argument "--port"'],
    [
      {
        DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
        TOLLGATE_CONTROLPLANE_PORT: "0",
        TOLLGATE_PLANE_PORT: "0",
      },
      [],
      "cannot start: connect ECONNREFUSED",
    ],
  ])("refuses %o %o with one line on stderr and exit 1", async (env, args, message) => {
    const result = await start(env, args).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("serves the admin API and closes cleanly on SIGTERM", async () => {
    const database: TestDatabase = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
    cleanup.push(
      () => database.drop(),
      () => rm(dataDir, { recursive: true, force: true }),
    );
    const { child, done } = start({
      DATABASE_URL: database.url,
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
      TOLLGATE_ADMIN_TOKEN: "cli-admin",
    });
    let output = "";
    const adminUrl = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (chunk) => {
        output += chunk;
        const match = /admin API on (http:\/\/\S+),/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      done.then((r) => reject(new Error(`exited early: ${r.stderr}`)));
    });
    // The node token was not given: generated into the data dir and printed once.
    expect(output).toContain(`generated a node token (saved in ${join(dataDir, "node-token")})`);
    const response = await fetch(`${adminUrl}/tollgate.admin.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer cli-admin" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
  });
});
