import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// `tollgate <command>` as a process of its own, for tests that kill -9 and restart parts of the system.

const BIN = fileURLToPath(new URL("../../bin/tollgate.js", import.meta.url));

export interface TollgateProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<void>;
  /** True once stop() was called: an exit after that was asked for. */
  readonly stopping: boolean;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `tollgate ...args` and resolves once its stdout shows `ready`; fails with its output if it exits first. */
export function startTollgate(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<TollgateProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping = false;
  const handle: TollgateProcess = {
    child,
    output: () => text,
    exited,
    get stopping() {
      return stopping;
    },
    async stop(signal = "SIGKILL") {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tollgate ${args[0]} not ready within ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve(handle);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tollgate ${args[0]} exited (${code ?? signal}) before it was ready:\n${text}`));
    });
  });
}
