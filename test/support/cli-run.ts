import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Runs a real client CLI (installed as a dev dependency) the way a user would, offline: a throwaway
// HOME holding only the files the test writes, a working directory of its own, no stdin, and an
// environment built from scratch, so nothing of the machine's own configuration (API keys, base
// URLs, proxies) reaches the client.

const modules = (path: string) => fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url));

export interface Program {
  file: string;
  args: readonly string[];
}

/**
 * Claude Code through its package's own fallback launcher: the package's bin is a stub until its
 * postinstall copies the native binary over it, and npm 11 does not run dependency install scripts.
 * The launcher starts the same native binary from the platform package (an optional dependency).
 */
export const CLAUDE_CODE: Program = {
  file: process.execPath,
  args: [modules("@anthropic-ai/claude-code/cli-wrapper.cjs")],
};
/** A Node launcher that starts the native binary of the platform package (an optional dependency). */
export const CODEX: Program = { file: modules(".bin/codex"), args: [] };
export const GEMINI_CLI: Program = { file: modules(".bin/gemini"), args: [] };

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  home: string;
  workdir: string;
  /** Writes a file under HOME (e.g. ".codex/config.toml"). */
  write(path: string, content: string): Promise<void>;
  run(program: Program, args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun>;
  remove(): Promise<void>;
}

export async function cliHome(): Promise<CliHome> {
  const root = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
  const home = join(root, "home");
  const workdir = join(root, "work");
  await mkdir(home);
  await mkdir(workdir);
  return {
    home,
    workdir,
    async write(path, content) {
      const file = join(home, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    },
    run(program, args, env, timeoutMs) {
      const child = spawn(program.file, [...program.args, ...args], {
        cwd: workdir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8", TERM: "dumb", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      return new Promise((resolve, reject) => {
        child.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once("close", (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
      });
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
