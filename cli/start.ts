import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { controlPlaneConfigFromEnv } from "../controlplane/env-config.js";
import { startDataPlane } from "../dataplane/index.js";
import { planeTransportTo } from "../dataplane/plane-transport.js";
import { dataPlaneSettingsFromEnv } from "../dataplane/settings.js";

// `npm start`: the control plane and one data plane in one process, PGlite under the data dir and
// in-memory routing state: nothing to install. The control plane runs on a thread of its own
// (cli/control-plane-thread.ts): PGlite executes on its caller's thread, and a usage transaction in
// it held up every request the data plane was serving (p99 latency 33-38 ms over direct at 500
// req/s). The data plane talks to it as a separate data plane would, over the plane service's h2c.

const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../web-admin/dist", import.meta.url));
// The build's (bin/build.js): bin/tollgate.js runs the compiled sources, this thread's among them.
const THREAD = new URL("./control-plane-thread.js", import.meta.url);

/** What control-plane-thread.ts posts; the thread answers the message "close" with closed or failed. */
export type ThreadMessage =
  | { kind: "ready"; adminUrl: string; planeUrl: string; nodeToken: string }
  | { kind: "closed" }
  | { kind: "failed"; message: string };

interface ControlPlaneThread {
  adminUrl: string;
  planeUrl: string;
  nodeToken: string;
  close(): Promise<void>;
}

/** Starts the control-plane thread; once it is up, the thread stopping on its own ends the process. */
function startControlPlaneThread(): Promise<ControlPlaneThread> {
  const worker = new Worker(THREAD, {
    workerData: { webRoot: DEFAULT_WEB_ROOT },
  });
  // Once close() was asked for, a stop settles it: the thread's own exit after "closed" then rejects a
  // promise already resolved, which does nothing.
  let closing: { resolve: () => void; reject: (error: Error) => void } | undefined;
  return new Promise((resolve, reject) => {
    let up = false;
    const stopped = (why: string) => {
      if (closing) return closing.reject(new Error(why));
      if (!up) return reject(new Error(why));
      fail(`the control plane stopped: ${why}`);
    };
    worker.on("error", (error) => stopped(error.message));
    worker.on("exit", (code) => stopped(`its thread exited (${code})`));
    worker.on("message", (message: ThreadMessage) => {
      if (message.kind === "failed") return stopped(message.message);
      if (message.kind === "closed") {
        closing?.resolve();
        void worker.terminate();
        return;
      }
      up = true;
      resolve({
        adminUrl: message.adminUrl,
        planeUrl: message.planeUrl,
        nodeToken: message.nodeToken,
        close: () =>
          new Promise<void>((resolveClose, rejectClose) => {
            closing = { resolve: resolveClose, reject: rejectClose };
            worker.postMessage("close");
          }),
      });
    });
  });
}

export async function runStartCommand(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(
      "usage: tollgate start\n\nControl plane (TOLLGATE_CONTROLPLANE_PORT, 8081) and data plane (TOLLGATE_DATAPLANE_PORT, 8080) in one process.\n",
    );
    return;
  }
  const cpConfig = controlPlaneConfigFromEnv(process.env, DEFAULT_WEB_ROOT);
  if (!cpConfig.ok) fail(cpConfig.error);
  const dpConfig = dataPlaneSettingsFromEnv(process.env);
  if (!dpConfig.ok) fail(dpConfig.error);

  let controlPlane: ControlPlaneThread;
  try {
    controlPlane = await startControlPlaneThread();
  } catch (error) {
    fail(`cannot start the control plane: ${error instanceof Error ? error.message : String(error)}`);
  }
  let dataPlane: Awaited<ReturnType<typeof startDataPlane>>;
  try {
    dataPlane = await startDataPlane({
      ...dpConfig.settings,
      planeTransport: planeTransportTo(controlPlane.planeUrl),
      nodeToken: controlPlane.nodeToken,
      nodeId: "embedded",
      dataDir: cpConfig.options.dataDir,
    });
  } catch (error) {
    await controlPlane.close();
    fail(`cannot start the data plane: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stdout.write(
    `tollgate: data plane on ${dataPlane.url}, admin API and web admin on ${controlPlane.adminUrl}, plane service on ${controlPlane.planeUrl}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`tollgate: ${signal}, closing\n`);
    dataPlane
      .close()
      .then(() => controlPlane.close())
      .then(
        () => process.exit(0),
        (error: unknown) => fail(`close failed: ${String(error)}`),
      );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function fail(message: string): never {
  process.stderr.write(`tollgate: ${message}\n`);
  process.exit(1);
}
