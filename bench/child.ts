import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The processes a bench run starts: each writes to a log file of its own (so nothing has to drain a
// pipe while it is measured), is ready when a line of its log matches, and is stopped by its pid.

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TOLLGATE_BIN = join(REPO_ROOT, "bin/tollgate.js");

export interface Child {
  name: string;
  pid: number;
  logPath: string;
  /** The match of the readiness pattern (group 1 is usually the URL). */
  ready: RegExpExecArray;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildSpec {
  name: string;
  /** Arguments after `node` (node options first). */
  args: string[];
  env: Record<string, string>;
  ready: RegExp;
  logDir: string;
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every process the run started that is still running. */
export function stopAllChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

// Whatever the run's outcome, no process it started outlives it.
process.once("exit", stopAllChildren);

/** The environment a child gets: the machine's basics only, never the caller's TOLLGATE_*, DATABASE_URL or REDIS_URL. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "LANG", "TMPDIR", "NODE_OPTIONS"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** `node [options] bin/tollgate.js command [args]`, this checkout's unless `root` names another. */
export function tollgateArgs(
  command: string,
  nodeOptions: string[] = [],
  args: string[] = [],
  root?: string,
): string[] {
  return [...nodeOptions, root ? join(root, "bin/tollgate.js") : TOLLGATE_BIN, command, ...args];
}

/**
 * A TypeScript file of the repository, compiled as it is imported (bin/ts-loader.js): the floor, the
 * stream client. Their RSS holds the loader's module-hooks thread, which Tollgate's build does not need.
 */
export function tsArgs(file: string, args: string[] = []): string[] {
  return ["--import", join(REPO_ROOT, "bin/ts-loader.js"), join(REPO_ROOT, file), ...args];
}

export async function startChild(spec: ChildSpec): Promise<Child> {
  const logPath = join(spec.logDir, `${spec.name}.log`);
  const fd = openSync(logPath, "w");
  const child = spawn(process.execPath, spec.args, { cwd: REPO_ROOT, env: spec.env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  for (;;) {
    const log = readFileSync(logPath, "utf8");
    const ready = spec.ready.exec(log);
    if (ready && child.pid !== undefined) return { name: spec.name, pid: child.pid, logPath, ready, stop };
    const gone = child.exitCode !== null || child.signalCode !== null;
    if (gone || Date.now() > deadline) {
      await stop(1_000);
      const why = gone ? `exited (${child.exitCode ?? child.signalCode})` : "was not ready in time";
      throw new Error(`${spec.name} ${why}; last lines of ${logPath}:\n${log.split("\n").slice(-15).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
