import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClients, adminTransport } from "../controlplane/test-support.js";
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
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "./support/redis.js";
import { waitFor } from "./support/stack.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./support/throwaway-postgres.js";
import { startTollgate, type TollgateProcess } from "./support/tollgate-process.js";

// The accounting fault test: one control plane and two data planes as processes of their own, on a
// PostgreSQL cluster of the test's own and the shared Redis, with clients keeping a steady load on both
// data planes. Mid-load, the control plane and one data plane are killed with SIGKILL and restarted, then
// PostgreSQL is restarted. Afterwards every response a client received is billed exactly once: the
// usage logs hold every successful response's request id once (and at most the answers the killed data
// plane had in flight), and every key's quota_used and every user's balance equal the sums of their
// logs.

const ADMIN_TOKEN = "fault-admin-token";
const NODE_TOKEN = "fault-node-token";
const CLIENTS_PER_DATA_PLANE = 3;

let root: string;
let pg: ThrowawayPostgres | undefined;
let redis: TestRedisPrefix;
let sim: UpstreamSim;
let ports: { pg: number; admin: number; plane: number; dp: [number, number] };
let cp: TollgateProcess | undefined;
const dps: Array<TollgateProcess | undefined> = [undefined, undefined];

/** Exits of the control plane nobody asked for: it must ride out a database restart on its own. */
const unaskedExits: string[] = [];

async function runCp(): Promise<void> {
  const started = await startCp();
  cp = started;
  void started.exited.then(() => {
    if (!started.stopping) unaskedExits.push(started.output().slice(-3000));
  });
}

function startCp(): Promise<TollgateProcess> {
  return startTollgate(
    ["controlplane"],
    {
      DATABASE_URL: (pg as ThrowawayPostgres).url,
      TOLLGATE_DATA_DIR: join(root, "cp"),
      TOLLGATE_CONTROLPLANE_PORT: String(ports.admin),
      TOLLGATE_PLANE_PORT: String(ports.plane),
      TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      TOLLGATE_NODE_TOKEN: NODE_TOKEN,
      TOLLGATE_SECRET_KEY: "fault-secret-key",
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
    },
    /admin API on/,
  );
}

function startDp(index: 0 | 1): Promise<TollgateProcess> {
  return startTollgate(
    ["dataplane", "--control-plane", `http://127.0.0.1:${ports.plane}`],
    {
      TOLLGATE_NODE_TOKEN: NODE_TOKEN,
      TOLLGATE_DATAPLANE_PORT: String(ports.dp[index]),
      TOLLGATE_DATA_DIR: join(root, `dp${index}`),
      REDIS_URL,
      TOLLGATE_REDIS_PREFIX: redis.prefix,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
    },
    /tollgate data plane on/,
  );
}

const dpUrl = (index: number) => `http://127.0.0.1:${ports.dp[index as 0 | 1]}`;

async function health(index: number): Promise<{ httpStatus: number; usageBacklog?: number } | undefined> {
  try {
    const response = await fetch(`${dpUrl(index)}/healthz`);
    return { ...((await response.json()) as { usageBacklog?: number }), httpStatus: response.status };
  } catch {
    return undefined;
  }
}

/** What the processes printed last, for a failure to be diagnosed from the test's output. */
function printOutputs(): void {
  for (const [name, process] of [
    ["data plane 0", dps[0]],
    ["data plane 1", dps[1]],
    ["control plane", cp],
  ] as const) {
    console.log(`--- ${name} ---\n${process?.output().slice(-6000) ?? "(not running)"}`);
  }
}

/** Clients sending requests in a loop through every data plane, keeping the request ids of what succeeded. */
function startLoad(tenants: readonly PaidTenant[]) {
  const succeeded = new Set<string>();
  const perDataPlane = [0, 0];
  let stopped = false;
  const loop = async (dp: number, worker: number) => {
    const clients = tenants.map(
      (t) => new Anthropic({ apiKey: t.secret, baseURL: dpUrl(dp), maxRetries: 0, timeout: 15_000 }),
    );
    for (let n = worker; !stopped; n++) {
      const client = clients[n % clients.length] as Anthropic;
      const body = { model: MODEL, max_tokens: 64, messages: [{ role: "user" as const, content: `load ${n}` }] };
      try {
        let requestId: string | null;
        if (n % 3 === 0) {
          const { data, response } = await client.messages.create({ ...body, stream: true }).withResponse();
          let complete = false;
          for await (const event of data) if (event.type === "message_stop") complete = true;
          requestId = complete ? response.headers.get("x-tollgate-request-id") : null;
        } else {
          const { response } = await client.messages.create(body).withResponse();
          requestId = response.headers.get("x-tollgate-request-id");
        }
        if (!requestId) throw new Error("no complete response");
        succeeded.add(requestId);
        perDataPlane[dp] = (perDataPlane[dp] ?? 0) + 1;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  };
  const loops = [0, 1].flatMap((dp) => Array.from({ length: CLIENTS_PER_DATA_PLANE }, (_, w) => loop(dp, w)));
  return {
    succeeded,
    perDataPlane,
    /** Waits until each data plane served `count` more successful responses: the faults happen under load. */
    async served(count: number, what: string) {
      const start = [...perDataPlane];
      await waitFor(
        () => perDataPlane.every((n, i) => n >= (start[i] ?? 0) + count),
        `${count} more responses through each data plane ${what}`,
        60_000,
      );
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tollgate-fault-"));
  redis = createTestPrefix();
  ports = {
    pg: await freePort(),
    admin: await freePort(),
    plane: await freePort(),
    dp: [await freePort(), await freePort()],
  };
  pg = await startThrowawayPostgres(ports.pg);
  sim = await startUpstreamSim({ quiet: true });
  await runCp();
}, 90_000);

afterAll(async () => {
  await Promise.all([cp?.stop(), ...dps.map((dp) => dp?.stop())]);
  await sim?.close();
  await pg?.stop();
  await redis?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

describe("accounting under faults", () => {
  it("bills every successful response exactly once through control-plane, data-plane and database restarts", async () => {
    const admin = adminClients(adminTransport(`http://127.0.0.1:${ports.admin}`, ADMIN_TOKEN));
    await setPrice(admin);
    const tenants = [
      await createPaidTenant(admin, sim.url, { rateMultiplier: "1" }),
      await createPaidTenant(admin, sim.url, { rateMultiplier: "1.5" }),
      await createPaidTenant(admin, sim.url, { rateMultiplier: "0.8" }),
    ];
    [dps[0], dps[1]] = await Promise.all([startDp(0), startDp(1)]);

    const load = startLoad(tenants);
    try {
      await load.served(30, "before any fault");
      // What data plane 0 serves after its restart is the config it persisted: its first save starts
      // as the config arrives, but 30 responses can come before that save is on disk.
      const persistedConfig = join(root, "dp0", "dataplane", "config.bin");
      await waitFor(
        () =>
          access(persistedConfig).then(
            () => true,
            () => false,
          ),
        "data plane 0 to persist its config",
      );

      // The control plane and data plane 0 die together; data plane 0 comes back while the control
      // plane is still away and serves from the config it persisted.
      await Promise.all([cp?.stop("SIGKILL"), dps[0]?.stop("SIGKILL")]);
      cp = undefined;
      dps[0] = await startDp(0);
      await load.served(20, "with the control plane down");
      await runCp();
      await load.served(20, "after the control plane restarted");

      await (pg as ThrowawayPostgres).restart();
      await load.served(30, "after PostgreSQL restarted");
    } catch (error) {
      printOutputs();
      throw error;
    } finally {
      await load.stop();
    }

    try {
      await waitFor(
        async () => {
          const states = await Promise.all([health(0), health(1)]);
          return states.every((s) => s?.httpStatus === 200 && s.usageBacklog === 0);
        },
        "both data planes to have every usage record acked",
        60_000,
      );
    } catch (error) {
      console.log("data plane health:", JSON.stringify(await Promise.all([health(0), health(1)])));
      printOutputs();
      throw error;
    }
    const state = await billedState((pg as ThrowawayPostgres).url, tenants);
    const logged = state.logs.map((log) => log.request_id);
    expect(new Set(logged).size).toBe(logged.length);
    const billed = new Set(logged);
    expect([...load.succeeded].filter((id) => !billed.has(id))).toEqual([]);
    // A data plane spools a record just before the bytes that complete its answer: killed in between,
    // it has billed an answer its client never finished reading, as an aborted answer is billed. Only
    // data plane 0 is killed, with at most one request in flight per client.
    expect(logged.length - load.succeeded.size).toBeLessThanOrEqual(CLIENTS_PER_DATA_PLANE);
    expectTotalsMatchLogs(state, tenants);
    expect(unaskedExits).toEqual([]);
  }, 240_000);
});
