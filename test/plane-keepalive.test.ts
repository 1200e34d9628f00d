import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, TEST_NODE_TOKEN, type TestControlPlane } from "../controlplane/test-support.js";
import { type DataPlane, startDataPlane } from "../dataplane/index.js";
import { planeTransportTo } from "../dataplane/plane-transport.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { freePort } from "./support/accounting.js";
import { createTenant, waitFor } from "./support/stack.js";
import { TcpRelay } from "./support/tcp-relay.js";

// A control plane that goes silent without closing the connection (a host powered off, a NAT entry
// dropped: no FIN, no RST) must not leave a data plane serving its last config forever. HTTP/2 PINGs
// find the connection dead; the data plane opens a new one, where config changes arrive again and
// usage is reported again. The data plane reaches the control plane through a relay that can go
// silent; its PINGs are set to a fifth of a second so the test takes seconds, not the default 45.

let sim: UpstreamSim;
let cp: TestControlPlane;
let relay: TcpRelay;
let dp: DataPlane;
let dataDir: string;

beforeAll(async () => {
  sim = await startUpstreamSim({ quiet: true });
  cp = await startTestControlPlane("postgres");
  const plane = new URL(cp.running.planeUrl);
  relay = new TcpRelay(await freePort(), { host: plane.hostname, port: Number(plane.port) });
  await relay.restore();
  dataDir = await mkdtemp(join(tmpdir(), "tollgate-dp-"));
  dp = await startDataPlane({
    planeTransport: planeTransportTo(`http://127.0.0.1:${relay.port}`, { pingIntervalMs: 200, pingTimeoutMs: 200 }),
    nodeToken: TEST_NODE_TOKEN,
    nodeId: "silent-link",
    port: 0,
    log: pino({ level: "silent" }),
    allowPrivateUpstreams: true,
    dataDir,
  });
});

afterAll(async () => {
  await dp?.close();
  await relay?.cut();
  await cp?.close();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const ask = (secret: string) =>
  new Anthropic({ baseURL: dp.url, apiKey: secret, maxRetries: 0 }).messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 16,
    messages: [{ role: "user", content: "ping" }],
  });

describe("a control plane gone silent", () => {
  it("is found out by PINGs: the data plane reconnects, takes the changes made meanwhile and bills again", async () => {
    const before = await createTenant({ admin: cp.admin, sim, dp });
    expect((await ask(before.secret)).content).not.toHaveLength(0);
    expect(relay.accepted).toBe(1);

    relay.silence();
    // Made while the data plane's connection carries nothing: only a new connection brings it.
    const after = await createTenant({ admin: cp.admin, sim });
    let answer: Anthropic.Message | undefined;
    await waitFor(async () => {
      answer = await ask(after.secret).catch((error) => {
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
