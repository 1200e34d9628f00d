import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { PlaneService, UsageBatchSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { startControlPlane } from "../server.js";
import {
  adminClients,
  adminTransport,
  bearer,
  expectConnectError,
  must,
  planeTransport,
  startTestControlPlane,
  TEST_NODE_TOKEN,
  type TestControlPlane,
  unique,
  watchConfig,
} from "../test-support.js";

describe("PlaneService", () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres");
  });
  afterAll(() => cp?.close());

  /** Calls any plane method with an empty request, reading streams to their end. */
  async function callEach(client: ReturnType<typeof createClient<typeof PlaneService>>) {
    const calls: Record<(typeof PlaneService.methods)[number]["localName"], () => Promise<unknown>> = {
      watchConfig: async () => {
        for await (const _ of client.watchConfig({})) return;
      },
      reportUsage: async () => {
        const batches = (async function* () {
          yield create(UsageBatchSchema, {});
        })();
        for await (const _ of client.reportUsage(batches)) return;
      },
      reportAccountState: () => client.reportAccountState({}),
      persistOAuthToken: () => client.persistOAuthToken({}),
      getKeyUsage: () => client.getKeyUsage({}),
    };
    expect(Object.keys(calls).sort()).toEqual(PlaneService.methods.map((m) => m.localName).sort());
    return calls;
  }

  it.each([
    ["missing", null],
    ["wrong", "not-the-node-token"],
    ["admin's", "test-admin-token"],
  ])("refuses every method with a %s token", async (_label, token) => {
    const client = createClient(PlaneService, planeTransport(cp.running.planeUrl, token));
    for (const call of Object.values(await callEach(client))) await expectConnectError(call(), Code.Unauthenticated);
  });

  it("does not take the node token on the admin API", async () => {
    const admin = adminClients(adminTransport(cp.running.adminUrl, TEST_NODE_TOKEN));
    await expectConnectError(admin.users.listUsers({}), Code.Unauthenticated);
  });

  it("serves in process through a router transport, without the servers", async () => {
    const transport = createRouterTransport(cp.running.controlPlane.planeRoutes, {
      transport: { interceptors: [bearer(TEST_NODE_TOKEN)] },
    });
    const watch = watchConfig(createClient(PlaneService, transport), 0n);
    try {
      expect((await watch.next()).snapshot).toBe(true);
    } finally {
      watch.stop();
    }
  });

  it("refuses to start with a secret key that does not open the stored credentials", async () => {
    await cp.admin.accounts.createAccount({
      name: unique("sealed"),
      platform: Platform.GEMINI,
      type: AccountType.APIKEY,
      credentials: { apiKey: "g-key" },
    });
    const dataDir = await mkdtemp(join(tmpdir(), "tollgate-key-"));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    await expect(
      startControlPlane({
        databaseUrl: cp.databaseUrl,
        dataDir,
        adminToken: "a",
        nodeToken: "n",
        secretKey: "another-key",
        adminPort: 0,
        planePort: 0,
        log: () => {},
      }),
    ).rejects.toThrow("TOLLGATE_SECRET_KEY does not decrypt the stored upstream credentials");
  });

  it("validates account state and OAuth token reports", async () => {
    const account = must(
      (
        await cp.admin.accounts.createAccount({
          name: unique("a"),
          platform: Platform.OPENAI,
          type: AccountType.APIKEY,
          credentials: { apiKey: "sk-x" },
        })
      ).account,
    );
    await expectConnectError(cp.plane.reportAccountState({}), Code.InvalidArgument, "account_id");
    await expectConnectError(cp.plane.reportAccountState({ accountId: "missing" }), Code.NotFound, "account");
    await expectConnectError(
      cp.plane.reportAccountState({ accountId: "missing", credentialsRejected: true }),
      Code.NotFound,
      "account",
    );
    await expectConnectError(
      cp.plane.persistOAuthToken({ accountId: account.id, accessToken: "t" }),
      Code.InvalidArgument,
      "not an OAuth account",
    );
    await expectConnectError(
      cp.plane.persistOAuthToken({ accountId: account.id }),
      Code.InvalidArgument,
      "access_token",
    );
    await cp.plane.reportAccountState({ accountId: account.id, state: { reason: "cooling down" } });
    expect((await cp.admin.accounts.getAccount({ id: account.id })).account?.state?.reason).toBe("cooling down");
  });
});
