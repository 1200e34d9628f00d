import { parentPort, workerData } from "node:worker_threads";
import { controlPlaneConfigFromEnv } from "../controlplane/env-config.js";
import { startControlPlane } from "../controlplane/index.js";

// The body of `tollgate start`'s control-plane thread (cli/start.ts). PGlite runs synchronously on the
// thread that calls it: on the data plane's thread, every usage transaction (8 ms and more) stalled
// every request in flight. The messages are the ThreadMessage and "close" of start.ts.

const port = parentPort;
if (!port) throw new Error("control-plane-thread.ts runs as a worker thread of `tollgate start`");

const config = controlPlaneConfigFromEnv(process.env, (workerData as { webRoot: string }).webRoot);
if (!config.ok) {
  port.postMessage({ kind: "failed", message: config.error });
} else {
  try {
    const running = await startControlPlane(config.options);
    port.on("message", (message: unknown) => {
      if (message !== "close") return;
      running.close().then(
        () => port.postMessage({ kind: "closed" }),
        (error: unknown) => port.postMessage({ kind: "failed", message: `close failed: ${String(error)}` }),
      );
    });
    port.postMessage({
      kind: "ready",
      adminUrl: running.adminUrl,
      planeUrl: running.planeUrl,
      nodeToken: running.controlPlane.nodeToken,
    });
  } catch (error) {
    port.postMessage({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}
