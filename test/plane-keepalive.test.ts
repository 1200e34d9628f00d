import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PlaneKeepalive } from "../common/plane-keepalive.js";
import { startTestControlPlane, TEST_NODE_TOKEN, type TestControlPlane } from "../controlplane/test-support.js";
import { type DataPlane, startDataPlane } from "../dataplane/index.js";
import { planeTransportTo } from "../dataplane/plane-transport.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { freePort } from "./support/accounting.js";
import { createTenant, waitFor } from "./support/stack.js";
import { TcpRelay } from "./support/tcp-relay.js";

// A peer that goes silent without closing the connection (a host powered off, a NAT entry dropped: no
// FIN, no RST) must be found out on both sides. A data plane must not serve its last config forever:
// HTTP/2 PINGs find the connection dead, and on a new one config changes arrive and usage is reported
// again. A control plane must not list a vanished data plane as connected forever. Each data plane
// reaches the control plane through a relay that can go silent; PINGs are every fifth of a second on
// both sides, so the tests take a second or two instead of the default 45.

// A second to answer: a busy test machine must not take a live connection for dead.
const FAST: PlaneKeepalive = { pingIntervalMs: 200, pingTimeoutMs: 1_000 };
/** The longest interval timers take (about 25 days): no PING within a test. */
const NO_PINGS: PlaneKeepalive = { pingIntervalMs: 2 ** 31 - 1, pingTimeoutMs: 200 };

let sim: UpstreamSim;
let cp: TestControlPlane;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sim = await startUpstreamSim({ quiet: true });
  cp = await startTestControlPlane("postgres", { planeKeepalive: FAST });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await cp?.close();
  await sim?.close();
});

/** A data plane whose every connection to the control plane goes through a relay of its own. */
async function dataPlaneVia(nodeId: string, keepalive: PlaneKeepalive): Promise<{ dp: DataPlane; relay: TcpRelay }> {
  const plane = new URL(cp.running.planeUrl);
  const relay = new TcpRelay(await freePort(), { host: plane.hostname, port: Number(plane.port) });
  await relay.restore();
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-dp-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const dp = await startDataPlane({
    planeTransport: planeTransportTo(`http://127.0.0.1:${relay.port}`, keepalive),
    nodeToken: TEST_NODE_TOKEN,
    nodeId,
    port: 0,
    log: pino({ level: "silent" }),
    allowPrivateUpstreams: true,
    dataDir,
  });
  // Undone in reverse: the data plane closes (its usage acked) while the relay still forwards.
  cleanups.push(() => relay.cut());
  cleanups.push(() => dp.close());
  return { dp, relay };
}

const ask = (dp: DataPlane, secret: string) =>
  new Anthropic({ baseURL: dp.url, apiKey: secret, maxRetries: 0 }).messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 16,
    messages: [{ role: "user", content: "ping" }],
  });

async function listedNodes(): Promise<string[]> {
  const text = await (await fetch(`${cp.running.adminUrl}/metrics`)).text();
  return [...text.matchAll(/^tollgate_dataplane_config_version\{node_id="([^"]+)"\}/gm)].map((m) => m[1] as string);
}

describe("a control plane gone silent", () => {
  it("is found out by the data plane's PINGs: it reconnects, takes the changes made meanwhile and bills again", async () => {
    const { dp, relay } = await dataPlaneVia("silent-control-plane", FAST);
    const before = await createTenant({ admin: cp.admin, sim, dp });
    expect((await ask(dp, before.secret)).content).not.toHaveLength(0);
    expect(relay.accepted).toBe(1);

    relay.silence();
    // Made while the data plane's connection carries nothing: only a new connection brings it.
    const after = await createTenant({ admin: cp.admin, sim });
    let answer: Anthropic.Message | undefined;
    await waitFor(async () => {
      answer = await ask(dp, after.secret).catch((error) => {
        // Unknown to the data plane until the change arrives: 401, nothing served, nothing billed.
        expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
        return undefined;
      });
      return answer !== undefined;
    }, "the key created during the silence to be accepted");
    expect(answer?.usage.output_tokens).toBeGreaterThan(0);
    // On a connection of its own: the silent one carries nothing.
    expect(relay.accepted).toBe(2);
    await waitFor(
      async () =>
        (await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: after.key.id }, pageSize: 10 })).logs.length === 1,
      "the answer served after reconnecting to be billed",
    );
  });
});

describe("a data plane gone silent", () => {
  it("is found out by the control plane's PINGs and no longer listed as connected", async () => {
    // This data plane sends no PINGs: only the control plane's can find the connection dead.
    const { relay } = await dataPlaneVia("vanished-data-plane", NO_PINGS);
    await waitFor(async () => (await listedNodes()).includes("vanished-data-plane"), "the data plane to be listed");

    relay.silence();
    await waitFor(
      async () => !(await listedNodes()).includes("vanished-data-plane"),
      "the vanished data plane to be dropped from the list",
    );
    expect(relay.accepted).toBe(1);
  });
});
