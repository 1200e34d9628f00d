import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `tollgate start` as an operator runs it, on free ports; the URLs are read from the line it prints.

const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");
const READY = /data plane on (\S+), admin API and web admin on (\S+), plane service on (\S+)/;

export interface RunningTollgate {
  gatewayUrl: string;
  adminUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startTollgate(options: { adminToken: string; webRoot: string }): Promise<RunningTollgate> {
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-web-admin-"));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child: ChildProcess = spawn(process.execPath, ["bin/tollgate.js", "start"], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_ADMIN_TOKEN: options.adminToken,
      TOLLGATE_WEB_ROOT: options.webRoot,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const urls = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tollgate start did not come up in 60 s:\n${out}`)), 60_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const match = READY.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`tollgate start exited with ${code}:\n${out}`));
      });
    });
    return { gatewayUrl: urls[1] as string, adminUrl: urls[2] as string, output: () => out, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
