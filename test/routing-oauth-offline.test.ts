import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClients, adminTransport, TEST_ADMIN_TOKEN, TEST_NODE_TOKEN } from "../controlplane/test-support.js";
import { type DataPlane, startDataPlane } from "../dataplane/index.js";
import { planeTransportTo } from "../dataplane/plane-transport.js";
import { type Account, AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { freePort } from "./support/accounting.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { createTenant, type Tenant, waitFor } from "./support/stack.js";
import { startTollgate, type TollgateProcess } from "./support/tollgate-process.js";

// An OAuth refresh while the control plane is away (static stability, DESIGN §4 and §5.8): the
// provider hands out a new token pair (and spends the old refresh token), but it cannot be persisted
// yet. The data plane must go on with the new token, for the request that needed it and those after,
// rather than fall back to the token the upstream just refused.

let database: TestDatabase;
let sim: UpstreamSim;
let root: string;
let cp: TollgateProcess | undefined;
let dp: DataPlane;
let adminUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sim = await startUpstreamSim({ quiet: true });
  root = await mkdtemp(join(tmpdir(), "tollgate-oauth-offline-"));
  const ports = { admin: await freePort(), plane: await freePort() };
  adminUrl = `http://127.0.0.1:${ports.admin}`;
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
  dp = await startDataPlane({
    planeTransport: planeTransportTo(`http://127.0.0.1:${ports.plane}`),
    nodeToken: TEST_NODE_TOKEN,
    port: 0,
    dataDir: join(root, "dp"),
    log: pino({ level: "silent" }),
    allowPrivateUpstreams: true,
    oauthEndpoints: new Map([
      [Platform.ANTHROPIC, { tokenUrl: `${sim.url}/oauth/token`, clientId: "", clientSecret: "" }],
    ]),
  });
});

afterAll(async () => {
  await dp?.close();
  await cp?.stop("SIGKILL");
  await sim?.close();
  await database?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("OAuth refresh with the control plane away", () => {
  it("a 401 refreshes, and the retry and later requests use the new token though it could not be persisted", async () => {
    const admin = adminClients(adminTransport(adminUrl, TEST_ADMIN_TOKEN));
    const t: Tenant = await createTenant({ admin, sim, dp }, { accounts: 0 });
    const tag = randomBytes(4).toString("hex");
    const accessToken = `sk-ant-oat-${tag}`;
    const refreshToken = `sk-ant-ort-${tag}`;
    sim.linkCredential(refreshToken, accessToken);
    // Far from expiry: only the upstream's 401 calls for a refresh.
    const { account } = await admin.accounts.createAccount({
      name: `oauth-${tag}`,
      platform: Platform.ANTHROPIC,
      type: AccountType.OAUTH,
      baseUrl: sim.url,
      groupIds: [t.group.id],
      credentials: { accessToken, refreshToken, expiresAt: timestampFromMs(Date.now() + 2 * 3600_000) },
    });
    const accountId = (account as Account).id;
    await waitFor(() => dp.config.current.accountsByGroup.get(t.group.id)?.length === 1, "the account to arrive");

    await cp?.stop("SIGKILL");
    cp = undefined;
    sim.script(accessToken, [{ kind: "status", status: 401 }]);
    const client = new Anthropic({ apiKey: t.secret, baseURL: dp.url, maxRetries: 0 });
    const ask = () =>
      client.messages.create({
        model: "claude-opus-4-8",
        max_tokens: 16,
        messages: [{ role: "user", content: `offline ${randomUUID()}` }],
      });
    await ask();
    await ask();

    const log = sim.requests().filter((r) => r.account === accessToken);
    expect(log.map((r) => [r.operation, r.status])).toEqual([
      ["messages", 401],
      ["oauth_token", 200],
      ["messages", 200],
      ["messages", 200],
    ]);
    const [refused, , retry, later] = log;
    expect(refused?.credential).toBe(accessToken);
    expect(retry?.credential).toMatch(/^sim-at-/);
    expect(later?.credential).toBe(retry?.credential);
    expect(dp.config.current.accounts.get(accountId)?.accessToken).toBe(accessToken);
  });
});
