import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminClients,
  adminClients,
  adminTransport,
  TEST_ADMIN_TOKEN,
  TEST_NODE_TOKEN,
} from "../controlplane/test-support.js";
import { type DataPlane, startDataPlane } from "../dataplane/index.js";
import { planeTransportTo } from "../dataplane/plane-transport.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import {
  billedState,
  createPaidTenant,
  expectTotalsMatchLogs,
  freePort,
  MODEL,
  type PaidTenant,
  setPrice,
} from "./support/accounting.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { waitFor } from "./support/stack.js";
import { startTollgate, type TollgateProcess } from "./support/tollgate-process.js";

// DESIGN §4, static stability: a data plane keeps serving from the config it has while the control plane
// is away, and after its own restart from the config it persisted, still with the control plane away.
// When the control plane returns, the data plane asks only for what changed since its version, and every
// response served meanwhile is billed exactly once.

let database: TestDatabase;
let sim: UpstreamSim;
let root: string;
let ports: { admin: number; plane: number };
let cp: TollgateProcess | undefined;
let admin: AdminClients;
let tenant: PaidTenant;

/** The control plane as a process of its own, so it can die the way a real one does (kill -9). */
async function startCp(): Promise<void> {
  cp = await startTollgate(
    ["controlplane"],
    {
      DATABASE_URL: database.url,
      TOLLGATE_DATA_DIR: join(root, "cp"),
      TOLLGATE_CONTROLPLANE_PORT: String(ports.admin),
      TOLLGATE_PLANE_PORT: String(ports.plane),
      TOLLGATE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      TOLLGATE_NODE_TOKEN: TEST_NODE_TOKEN,
      TOLLGATE_SECRET_KEY: "test-secret-key",
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
    },
    /admin API on/,
  );
}

async function killCp(): Promise<void> {
  await cp?.stop("SIGKILL");
  cp = undefined;
}

/** The known_version each WatchConfig call of this node asked with, from the control plane's log. */
function watchedVersions(nodeId: string): string[] {
  return (cp?.output() ?? "")
    .split("\n")
    .filter((line) => line.includes('"data plane watching config"') && line.includes(`"nodeId":"${nodeId}"`))
    .map((line) => String(JSON.parse(line).knownVersion));
}

function startDp(nodeId: string): Promise<DataPlane> {
  return startDataPlane({
    planeTransport: planeTransportTo(`http://127.0.0.1:${ports.plane}`),
    nodeToken: TEST_NODE_TOKEN,
    nodeId,
    port: 0,
    dataDir: join(root, "dp"),
    backoff: { initialMs: 50, maxMs: 250 },
    log: pino({ level: "silent" }),
    allowPrivateUpstreams: true,
  });
}

/** Serves `count` requests through the data plane; returns their request ids. */
async function serve(dp: DataPlane, count: number): Promise<string[]> {
  const client = new Anthropic({ apiKey: tenant.secret, baseURL: dp.url, maxRetries: 0 });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { data, response } = await client.messages
      .create({ model: MODEL, max_tokens: 32, messages: [{ role: "user", content: `hello ${i}` }] })
      .withResponse();
    expect(data.content.length).toBeGreaterThan(0);
    ids.push(response.headers.get("x-tollgate-request-id") as string);
  }
  return ids;
}

beforeAll(async () => {
  database = await createTestDatabase();
  sim = await startUpstreamSim({ quiet: true });
  root = await mkdtemp(join(tmpdir(), "tollgate-static-"));
  ports = { admin: await freePort(), plane: await freePort() };
  await startCp();
  admin = adminClients(adminTransport(`http://127.0.0.1:${ports.admin}`));
  await setPrice(admin);
  tenant = await createPaidTenant(admin, sim.url, { rateMultiplier: "1.25" });
});

afterAll(async () => {
  await killCp();
  await sim?.close();
  await database?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("static stability", () => {
  it("serves with the control plane down, restarts from its persisted config, and bills every response once", async () => {
    const served: string[] = [];
    let dp = await startDp("static-a");
    await waitFor(() => dp.config.current.keysById.has(tenant.keyId), "the key to reach the data plane");
    served.push(...(await serve(dp, 3)));
    expect(await dp.usage.drain(10_000)).toBe(true);

    await killCp();
    served.push(...(await serve(dp, 3)));
    expect(dp.usage.backlog).toBe(3);
    const persistedVersion = dp.config.current.version;
    await dp.close();

    // Restarted with the control plane still down: the persisted config answers at once.
    dp = await startDp("static-b");
    expect(dp.config.current.version).toBe(persistedVersion);
    const health = await fetch(`${dp.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ configVersion: String(persistedVersion), usageBacklog: 3 });
    served.push(...(await serve(dp, 3)));
    expect(dp.usage.backlog).toBe(6);

    await startCp();
    expect(await dp.usage.drain(20_000)).toBe(true);
    await waitFor(() => watchedVersions("static-b").length > 0, "the restarted data plane to watch", 20_000);
    expect(watchedVersions("static-b")[0]).toBe(String(persistedVersion));
    await dp.close();

    const state = await billedState(database.url, [tenant]);
    expect(state.logs.map((l) => l.request_id).sort()).toEqual([...served].sort());
    expectTotalsMatchLogs(state, [tenant]);
  });
});
