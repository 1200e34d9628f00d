import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminClients, adminClients, adminTransport, jsonText } from "../controlplane/test-support.js";
import { AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { waitFor } from "./support/stack.js";
import { startTollgate, type TollgateProcess } from "./support/tollgate-process.js";

// Secret hygiene, end to end: a `tollgate controlplane` and a `tollgate dataplane` process logging at
// trace level, every mutating admin method, requests on every surface, failures (a bogus key, a wrong
// admin token, an upstream 401 that makes the data plane refresh an OAuth token, a 429, a cut stream).
// Then every secret used is searched for in both planes' logs, both /metrics pages, every admin list
// and get response, and every answer a client received: none may appear. The simulated provider's
// request log (all it was sent) must hold none of the gateway's own secrets either.

const tag = () => randomBytes(8).toString("hex");
const ADMIN_TOKEN = `tg-admin-${tag()}`;
const NODE_TOKEN = `tg-node-${tag()}`;
const SECRET_KEY = `secret-key-${tag()}`;
const METRICS_TOKEN = `metrics-${tag()}`;
const WRONG_ADMIN_TOKEN = `tg-admin-${tag()}`;
const BOGUS_CLIENT_KEY = `sk-tg-${tag()}${tag()}`;
const UPSTREAM = {
  anthropic: `sk-ant-${tag()}`,
  anthropicRotated: `sk-ant-${tag()}`,
  openai: `sk-oai-${tag()}`,
  gemini: `AIza-${tag()}`,
  antigravity: `sk-ag-${tag()}`,
  oauthAccess: `oat-${tag()}`,
  oauthRefresh: `ort-${tag()}`,
};

let db: TestDatabase;
let sim: UpstreamSim;
let cp: TollgateProcess;
let dp: TollgateProcess;
let root: string;
let admin: AdminClients;
let adminUrl: string;
let dpUrl: string;
const clientAnswers: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startUpstreamSim({ quiet: true });
  root = await mkdtemp(join(tmpdir(), "tollgate-secrets-"));
  cp = await startTollgate(
    ["controlplane"],
    {
      DATABASE_URL: db.url,
      TOLLGATE_DATA_DIR: join(root, "cp"),
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
      TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      TOLLGATE_NODE_TOKEN: NODE_TOKEN,
      TOLLGATE_SECRET_KEY: SECRET_KEY,
      TOLLGATE_METRICS_TOKEN: METRICS_TOKEN,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_LOG_LEVEL: "trace",
    },
    /admin API on (\S+), data-plane service on (\S+)/,
  );
  const [, admin_, plane] = /admin API on (\S+), data-plane service on (\S+)/.exec(cp.output()) as RegExpExecArray;
  adminUrl = admin_ as string;
  dp = await startTollgate(
    ["dataplane", "--control-plane", plane as string],
    {
      TOLLGATE_NODE_TOKEN: NODE_TOKEN,
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_DATA_DIR: join(root, "dp"),
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_METRICS_TOKEN: METRICS_TOKEN,
      TOLLGATE_LOG_LEVEL: "trace",
      TOLLGATE_SAME_ACCOUNT_RETRY_DELAY_MS: "10",
      TOLLGATE_OAUTH_ANTHROPIC_TOKEN_URL: `${sim.url}/oauth/token`,
    },
    /tollgate data plane on (\S+)/,
  );
  dpUrl = (/tollgate data plane on (\S+)/.exec(dp.output()) as RegExpExecArray)[1] as string;
  admin = adminClients(adminTransport(adminUrl, ADMIN_TOKEN));
}, 60_000);

afterAll(async () => {
  await dp?.stop("SIGTERM");
  await cp?.stop("SIGTERM");
  await sim?.close();
  await db?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A client request; its whole answer (status, headers, body) joins what is searched. */
async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) {
  const response = await fetch(`${dpUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = await response.text();
  clientAnswers.push(`${response.status} ${JSON.stringify([...response.headers])} ${body}`);
  return { status: response.status, body };
}

const anthropicBody = (stream: boolean) => ({
  model: "claude-sonnet-4-5",
  max_tokens: 32,
  stream,
  messages: [{ role: "user", content: `hello ${tag()}` }],
});
const geminiBody = { contents: [{ role: "user", parts: [{ text: `hello ${tag()}` }] }] };

describe("secrets never leak", () => {
  it("appear in no log, metric, admin list or get response, nor client answer", async () => {
    // --- every mutating admin method, with throwaway entities for the deletes
    const user = (await admin.users.createUser({ email: "s@example.com", name: "S", balanceUsd: "50" })).user;
    const userId = user?.id ?? "";
    await admin.users.updateUser({ id: userId, name: "Secret Keeper" });
    await admin.users.adjustBalance({ userId, amountUsd: "5", reason: "top-up" });
    const spareUser = (await admin.users.createUser({ email: "spare@example.com", name: "Spare" })).user;
    await admin.users.deleteUser({ id: spareUser?.id ?? "" });

    const platforms = [
      [Platform.ANTHROPIC, UPSTREAM.anthropic],
      [Platform.OPENAI, UPSTREAM.openai],
      [Platform.GEMINI, UPSTREAM.gemini],
      [Platform.ANTIGRAVITY, UPSTREAM.antigravity],
    ] as const;
    const keys = new Map<Platform, string>();
    const accountIds = new Map<Platform, string>();
    const keyIds: string[] = [];
    for (const [platform, apiKey] of platforms) {
      const group = (await admin.groups.createGroup({ name: `g-${platform}`, platform, rateMultiplier: "1" })).group;
      const groupId = group?.id ?? "";
      const account = await admin.accounts.createAccount({
        name: `a-${platform}`,
        platform,
        type: AccountType.APIKEY,
        baseUrl: sim.url,
        groupIds: [groupId],
        priority: 1,
        credentials: { apiKey },
      });
      accountIds.set(platform, account.account?.id ?? "");
      const created = await admin.keys.createApiKey({ userId, name: `k-${platform}`, groupId });
      keys.set(platform, created.secret);
      keyIds.push(created.apiKey?.id ?? "");
      if (platform === Platform.ANTHROPIC) {
        // An OAuth account tried first: its access token will be refused once and refreshed.
        await admin.accounts.createAccount({
          name: "oauth",
          platform,
          type: AccountType.OAUTH,
          baseUrl: sim.url,
          groupIds: [groupId],
          priority: 0,
          credentials: {
            accessToken: UPSTREAM.oauthAccess,
            refreshToken: UPSTREAM.oauthRefresh,
            expiresAt: timestampFromMs(Date.now() + 3600_000),
          },
        });
      }
    }
    const anthropicAccount = accountIds.get(Platform.ANTHROPIC) ?? "";
    await admin.accounts.updateAccount({
      id: anthropicAccount,
      credentials: { apiKey: UPSTREAM.anthropicRotated },
    });
    await admin.accounts.testAccount({ id: accountIds.get(Platform.OPENAI) ?? "" });
    await admin.accounts.clearAccountState({ id: anthropicAccount });
    await admin.keys.updateApiKey({ id: keyIds[0] as string, name: "renamed" });
    await admin.keys.resetQuota({ id: keyIds[0] as string });
    await admin.keys.clearExpiration({ id: keyIds[0] as string });
    const spareGroup = (
      await admin.groups.createGroup({ name: "spare", platform: Platform.OPENAI, rateMultiplier: "1" })
    ).group;
    await admin.groups.updateGroup({ id: spareGroup?.id ?? "", name: "spare-2" });
    const spareAccount = await admin.accounts.createAccount({
      name: "spare",
      platform: Platform.OPENAI,
      type: AccountType.APIKEY,
      baseUrl: sim.url,
      groupIds: [],
      credentials: { apiKey: UPSTREAM.openai },
    });
    await admin.accounts.deleteAccount({ id: spareAccount.account?.id ?? "" });
    const spareKey = await admin.keys.createApiKey({ userId, name: "spare", groupId: spareGroup?.id ?? "" });
    await admin.keys.deleteApiKey({ id: spareKey.apiKey?.id ?? "" });
    await admin.groups.deleteGroup({ id: spareGroup?.id ?? "" });
    await admin.pricing.setModelPrice({
      price: {
        model: "claude-sonnet-4-5",
        inputPerMtok: "3",
        outputPerMtok: "15",
        cacheWritePerMtok: "3.75",
        cacheReadPerMtok: "0.3",
      },
    });
    await admin.pricing.setModelPrice({
      price: { model: "spare-*", inputPerMtok: "1", outputPerMtok: "1", cacheWritePerMtok: "0", cacheReadPerMtok: "0" },
    });
    await admin.pricing.deleteModelPrice({ model: "spare-*" });
    const wrongAdmin = adminClients(adminTransport(adminUrl, WRONG_ADMIN_TOKEN));
    await expect(wrongAdmin.users.listUsers({})).rejects.toThrow(/invalid admin token/);

    const anthropicKey = keys.get(Platform.ANTHROPIC) as string;
    const openaiKey = keys.get(Platform.OPENAI) as string;
    const geminiKey = keys.get(Platform.GEMINI) as string;
    const antigravityKey = keys.get(Platform.ANTIGRAVITY) as string;
    await waitFor(
      async () =>
        (await fetch(`${dpUrl}/v1/models`, { headers: { authorization: `Bearer ${antigravityKey}` } })).status !== 401,
      "the data plane to know the keys",
    );

    // --- every surface, and failures
    sim.script(UPSTREAM.oauthAccess, [{ kind: "status", status: 401 }]);
    sim.script(UPSTREAM.gemini, [{ kind: "reply" }, { kind: "cut-stream", afterEvents: 1 }]);
    const anthropic = { "x-api-key": anthropicKey, "anthropic-version": "2023-06-01" };
    expect((await send("/v1/messages", { headers: anthropic, body: anthropicBody(true) })).status).toBe(200);
    expect((await send("/v1/messages?beta=true", { headers: anthropic, body: anthropicBody(false) })).status).toBe(200);
    await send("/v1/messages/count_tokens", { headers: anthropic, body: anthropicBody(false) });
    await send("/v1/models", { headers: anthropic });
    const openai = { authorization: `Bearer ${openaiKey}` };

    await send("/v1/chat/completions", {
      headers: openai,
      body: { model: "gpt-5", stream: true, messages: [{ role: "user", content: "hi" }] },
    });
    await send("/v1/responses", { headers: openai, body: { model: "gpt-5", stream: true, input: "hi" } });
    await send("/v1/models", { headers: openai });
    sim.script(UPSTREAM.openai, [{ kind: "rate-limit", resetSeconds: 1 }]);
    await send("/v1/chat/completions", {
      headers: openai,
      body: { model: "gpt-5", messages: [{ role: "user", content: "hi" }] },
    });
    const gemini = { "x-goog-api-key": geminiKey };
    await send("/v1beta/models/gemini-2.5-flash:generateContent", { headers: gemini, body: geminiBody });
    await send("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", { headers: gemini, body: geminiBody });
    await send(`/v1beta/models/gemini-2.5-flash:countTokens?key=${geminiKey}`, { body: geminiBody });
    await send(`/v1beta/models?key=${geminiKey}`, {});
    await send("/antigravity/v1/messages", {
      headers: { "x-api-key": antigravityKey, "anthropic-version": "2023-06-01" },
      body: anthropicBody(true),
    });
    await send("/v1/usage", { headers: { authorization: `Bearer ${anthropicKey}` } });
    expect(
      (await send("/v1/messages", { headers: { "x-api-key": BOGUS_CLIENT_KEY }, body: anthropicBody(false) })).status,
    ).toBe(401);
    await send(`/v1/nowhere?key=${BOGUS_CLIENT_KEY}`, { headers: { authorization: `Bearer ${BOGUS_CLIENT_KEY}` } });
    await send("/v1/messages", { headers: anthropic, body: "{not json" });

    // --- what is searched
    await waitFor(
      async () => (await admin.usage.listUsageLogs({ pageSize: 100 })).logs.length >= 6,
      "usage to reach the control plane",
    );
    const metrics = await Promise.all(
      [`${dpUrl}/metrics`, `${adminUrl}/metrics`].map(async (url) => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
        expect(response.status).toBe(200);
        return response.text();
      }),
    );
    const adminAnswers = await Promise.all([
      admin.users.listUsers({ pageSize: 100 }),
      admin.users.getUser({ id: userId }),
      admin.keys.listApiKeys({ pageSize: 100 }),
      ...keyIds.map((id) => admin.keys.getApiKey({ id })),
      admin.groups.listGroups({ pageSize: 100 }),
      admin.accounts.listAccounts({ pageSize: 100 }),
      ...[...accountIds.values()].map((id) => admin.accounts.getAccount({ id })),
      admin.pricing.listModelPrices({ pageSize: 100 }),
      admin.usage.listUsageLogs({ pageSize: 100 }),
      admin.usage.getUsageStats({}),
      admin.audit.listAuditEvents({ pageSize: 200 }),
    ]);
    const gatewayText = [cp.output(), dp.output(), ...metrics, ...adminAnswers.map(jsonText), ...clientAnswers].join(
      "\n",
    );

    // The search reads what it should: key prefixes in the lists, account ids in the metrics, request ids in the log.
    const listedKeys = (adminAnswers[2] as { apiKeys: { keyPrefix: string }[] }).apiKeys;
    for (const { keyPrefix } of listedKeys) expect(keyPrefix.length).toBeGreaterThan(3);
    expect(metrics[0]).toContain(`account_id="${accountIds.get(Platform.OPENAI)}"`);
    expect(metrics[1]).toContain("tollgate_dataplane_config_version{node_id=");
    expect(dp.output()).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    // Every mutating admin method left an audit event.
    const actions = new Set(
      (adminAnswers.at(-1) as { events: { action: string }[] }).events.map((event) => event.action),
    );
    for (const action of [
      "UserService/CreateUser",
      "UserService/UpdateUser",
      "UserService/DeleteUser",
      "UserService/AdjustBalance",
      "GroupService/CreateGroup",
      "GroupService/UpdateGroup",
      "GroupService/DeleteGroup",
      "AccountService/CreateAccount",
      "AccountService/UpdateAccount",
      "AccountService/DeleteAccount",
      "AccountService/ClearAccountState",
      "ApiKeyService/CreateApiKey",
      "ApiKeyService/UpdateApiKey",
      "ApiKeyService/DeleteApiKey",
      "ApiKeyService/ResetQuota",
      "ApiKeyService/ClearExpiration",
      "PricingService/SetModelPrice",
      "PricingService/DeleteModelPrice",
    ]) {
      expect(actions, action).toContain(action);
    }

    // The upstream credentials the gateway actually used, refreshed OAuth tokens included.
    const seenUpstream = new Set(sim.requests().map((request) => request.credential ?? ""));
    expect(seenUpstream).toContain(UPSTREAM.oauthAccess);
    // The OAuth account's refused token was refreshed: the new one (issued by the provider) is a secret too.
    expect([...seenUpstream].some((credential) => credential.startsWith("sim-at-"))).toBe(true);
    const gatewaySecrets = [
      ADMIN_TOKEN,
      WRONG_ADMIN_TOKEN,
      NODE_TOKEN,
      SECRET_KEY,
      METRICS_TOKEN,
      BOGUS_CLIENT_KEY,
      ...keys.values(),
      spareKey.secret,
    ];
    const upstreamSecrets = [...Object.values(UPSTREAM), ...[...seenUpstream].filter((c) => c.length >= 8)];
    for (const secret of [...gatewaySecrets, ...upstreamSecrets]) {
      expect(gatewayText.includes(secret), `a secret (${secret.slice(0, 6)}...) leaked`).toBe(false);
    }
    // The provider sees only its own credentials: none of the gateway's secrets reach it.
    const upstreamSaw = JSON.stringify(sim.requests());
    for (const secret of gatewaySecrets) {
      expect(upstreamSaw.includes(secret), `a gateway secret (${secret.slice(0, 6)}...) reached the upstream`).toBe(
        false,
      );
    }
  }, 90_000);
});
