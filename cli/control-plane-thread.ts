import { parentPort, workerData } from "node:worker_threads";
import { controlPlaneConfigFromEnv } from "../controlplane/env-config.js";
import { startControlPlane } from "../controlplane/index.js";
import type { ThreadMessage } from "./start.js";
import { CONTROL_PLANE_THREAD, nameThisThread } from "./thread-name.js";

// The body of `tollgate start`'s control-plane thread (cli/start.ts). PGlite runs synchronously on the
// thread that calls it: on the data plane's thread, every usage transaction (8 ms and more) stalled
// every request in flight. It answers the message "close" with closed or failed.

const port = parentPort;
if (!port) throw new Error("control-plane-thread.ts runs as a worker thread of `tollgate start`");
const post = (message: ThreadMessage) => port.postMessage(message);
nameThisThread(CONTROL_PLANE_THREAD);

const config = controlPlaneConfigFromEnv(process.env, (workerData as { webRoot: string }).webRoot);
if (!config.ok) {
  post({ kind: "failed", message: config.error });
} else {
  try {
    const running = await startControlPlane(config.options);
    port.on("message", (message: unknown) => {
      if (message !== "close") return;
      running.close().then(
        () => post({ kind: "closed" }),
        (error: unknown) => post({ kind: "failed", message: `close failed: ${String(error)}` }),
      );
    });
    post({
      kind: "ready",
      adminUrl: running.adminUrl,
      planeUrl: running.planeUrl,
      nodeToken: running.controlPlane.nodeToken,
    });
  } catch (error) {
    post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}
