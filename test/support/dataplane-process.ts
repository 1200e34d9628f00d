import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_NODE_TOKEN } from "../../controlplane/test-support.js";
import { freePort } from "./accounting.js";
import { REDIS_URL } from "./redis.js";
import { startTollgate, type TollgateProcess } from "./tollgate-process.js";

// `tollgate dataplane --control-plane URL` as a process of its own, on a free port and a data dir of
// its own, sharing the test's Redis key prefix: what a production deployment of several data planes is.

export interface DataPlaneProcess {
  url: string;
  process: TollgateProcess;
  /** Stops the process (SIGTERM: a clean shutdown) and removes its data dir. */
  stop(): Promise<void>;
}

export interface DataPlaneProcessOptions {
  /** The control plane's plane (h2c) URL. */
  planeUrl: string;
  /** The Redis key prefix every data plane of the test shares (createTestPrefix). */
  redisPrefix: string;
  nodeToken?: string;
  /** More environment: routing timings (TOLLGATE_QUEUE_TIMEOUT_MS, ...), OAuth endpoints. */
  env?: Record<string, string>;
}

export async function startDataPlaneProcess(options: DataPlaneProcessOptions): Promise<DataPlaneProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-dpp-"));
  const port = await freePort();
  let process: TollgateProcess;
  try {
    process = await startTollgate(
      ["dataplane", "--control-plane", options.planeUrl],
      {
        TOLLGATE_NODE_TOKEN: options.nodeToken ?? TEST_NODE_TOKEN,
        TOLLGATE_DATAPLANE_PORT: String(port),
        TOLLGATE_DATA_DIR: dataDir,
        TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
        REDIS_URL,
        TOLLGATE_REDIS_PREFIX: options.redisPrefix,
        ...options.env,
      },
      /tollgate data plane on/,
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    process,
    async stop() {
      // A clean shutdown drains the usage spool; a data plane that hangs in it is killed.
      const kill = setTimeout(() => process.child.kill("SIGKILL"), 10_000);
      await process.stop("SIGTERM");
      clearTimeout(kill);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the data plane at `url` knows the key (its config has caught up with the tenant's creation). */
export async function waitForKey(url: string, secret: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/v1/models`, {
      headers: { "x-api-key": secret, "anthropic-version": "2023-06-01" },
    });
    await response.arrayBuffer();
    if (response.status === 200) return;
    if (Date.now() > deadline) throw new Error(`the data plane at ${url} did not learn the key within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
