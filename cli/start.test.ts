import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_PLANE_THREAD } from "./thread-name.js";

// `tollgate start` runs its control plane on a thread of its own: a control plane or data plane that
// cannot start ends the whole process with the reason.

const repoRoot = join(import.meta.dirname, "..");
let taken: Server;
let takenPort: number;
let dataDir: string;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  takenPort = (taken.address() as { port: number }).port;
  dataDir = await mkdtemp(join(tmpdir(), "tollgate-start-"));
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

function spawnStart(ports: Record<string, string>) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return spawn(process.execPath, ["bin/tollgate.js", "start"], {
    cwd: repoRoot,
    env: {
      ...env,
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
      ...ports,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

function start(ports: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawnStart(ports);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

describe("tollgate start", () => {
  it.each([
    ["control plane", "TOLLGATE_CONTROLPLANE_PORT"],
    ["data plane", "TOLLGATE_DATAPLANE_PORT"],
  ])(
    "exits with the %s's reason when it cannot start",
    async (plane, portVariable) => {
      const { code, stderr } = await start({ [portVariable]: String(takenPort) });
      expect(code).toBe(1);
      expect(stderr).toContain(`tollgate: cannot start the ${plane}:`);
      expect(stderr).toContain("EADDRINUSE");
    },
    60_000,
  );

  it("names its control-plane thread, so top -H and the bench tell its CPU apart", async () => {
    const child = spawnStart({});
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const names = async () => {
      const tids = await readdir(`/proc/${child.pid}/task`).catch(() => []);
      const comms = tids.map((tid) => readFile(`/proc/${child.pid}/task/${tid}/comm`, "utf8").catch(() => ""));
      return (await Promise.all(comms)).map((comm) => comm.trimEnd());
    };
    try {
      let found: string[] = [];
      for (let tries = 0; tries < 300 && !found.includes(CONTROL_PLANE_THREAD); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        found = await names();
      }
      expect(found).toContain(CONTROL_PLANE_THREAD);
      expect(found.filter((name) => name === CONTROL_PLANE_THREAD)).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  }, 60_000);
});
