import { spawn } from "node:child_process";

// Runs an ES module's source in a Node process of its own, from the repository's root, with the
// TypeScript loader: for what only a separate process shows (its exit on an uncaught exception or a
// signal, what it leaves behind). The script imports the modules it needs by their file URLs.

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = new URL("../..", import.meta.url);
const loader = new URL("../../bin/ts-loader.js", import.meta.url).href;

export function runModuleScript(script: string): Promise<ScriptRun> {
  const child = spawn(process.execPath, ["--import", loader, "--input-type=module", "-e", script], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}
