import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, TEST_NODE_TOKEN, type TestControlPlane } from "../controlplane/test-support.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { createPaidTenant } from "./support/accounting.js";
import { postMessages } from "./support/messages.js";
import { waitFor } from "./support/stack.js";
import { startTollgate, type TollgateProcess } from "./support/tollgate-process.js";

// SIGTERM to a `tollgate dataplane` process with 50 slow streams in flight: /readyz fails first, every
// stream still completes, every request's usage is acked by the control plane before the process
// exits, and it exits 0.

const STREAMS = 50;
let sim: UpstreamSim;
let cp: TestControlPlane;
let dp: TollgateProcess;
let dataDir: string;
let secret: string;
let keyId: string;

beforeAll(async () => {
  // Each stream: 20 chunks 100 ms apart, about 2 s.
  sim = await startUpstreamSim({ quiet: true, chunks: 20, chunkDelayMs: 100 });
  cp = await startTestControlPlane("postgres");
  ({ secret, keyId } = await createPaidTenant(cp.admin, sim.url));
  dataDir = await mkdtemp(join(tmpdir(), "tollgate-drain-"));
  dp = await startTollgate(
    ["dataplane", "--control-plane", cp.running.planeUrl],
    {
      TOLLGATE_NODE_TOKEN: TEST_NODE_TOKEN,
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_DRAIN_DELAY_MS: "300",
      TOLLGATE_SHUTDOWN_TIMEOUT_MS: "30000",
    },
    /tollgate data plane on/,
  );
});

afterAll(async () => {
  await dp?.stop("SIGKILL");
  await cp?.close();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const dpUrl = () => /tollgate data plane on (\S+)/.exec(dp.output())?.[1] as string;

function stream(i: number): Promise<{ status: number; body: string }> {
  return postMessages(dpUrl(), secret, {
    model: "claude-sonnet-4-5",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: `stream ${i}` }],
  }).then(async (response) => ({ status: response.status, body: await response.text() }));
}

describe("tollgate dataplane on SIGTERM", () => {
  it("fails /readyz, finishes 50 in-flight streams, has their usage acked, exits 0", async () => {
    await waitFor(async () => (await fetch(`${dpUrl()}/readyz`)).status === 200, "the data plane to be ready");
    await waitFor(
      async () =>
        (
          await fetch(`${dpUrl()}/v1/messages/count_tokens`, {
            method: "POST",
            headers: { "x-api-key": secret, "content-type": "application/json" },
            body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }),
          })
        ).status === 200,
      "the data plane to know the key",
    );
    const url = dpUrl();
    const exit = new Promise<number | null>((resolve) => dp.child.once("exit", (code) => resolve(code)));
    const streams = Array.from({ length: STREAMS }, (_, i) => stream(i));
    await waitFor(
      () => sim.requests().filter((r) => r.operation !== "count_tokens" && r.outcome === "pending").length === STREAMS,
      "all streams to be in flight upstream",
    );

    dp.child.kill("SIGTERM");
    await waitFor(async () => {
      const ready = await fetch(`${url}/readyz`, { headers: { connection: "close" } });
      return ready.status === 503 && (await ready.json()).status === "draining";
    }, "/readyz to report draining");

    const results = await Promise.all(streams);
    for (const { status, body } of results) {
      expect(status).toBe(200);
      expect(body).toContain("event: message_stop");
      expect(body).not.toContain("event: error");
    }
    expect(await exit).toBe(0);
    // Acked before the process exited: the logs are in the control plane's database already.
    const logs = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: keyId }, pageSize: 100 });
    expect(logs.logs).toHaveLength(STREAMS);
    expect(logs.logs.every((log) => log.stream && log.outputTokens > 0)).toBe(true);
    expect(dp.output()).toContain("draining in-flight requests");
  }, 60_000);
});
