import { randomBytes, randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../controlplane/test-support.js";
import { type Account, AccountStatus, AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { type SimRequest, startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { type DataPlaneProcess, startDataPlaneProcess, waitForKey } from "./support/dataplane-process.js";
import { createTestPrefix, type TestRedisPrefix } from "./support/redis.js";
import { createTenant, type Tenant, waitFor } from "./support/stack.js";

// OAuth subscription accounts through two data-plane processes sharing Redis (DESIGN §5.8): a token
// about to expire is refreshed before forwarding, once across all data planes however many requests
// need it at the same moment, persisted through the control plane and used from there by the other
// data plane; an upstream 401 forces a refresh and a retry on the same account. The token endpoint is
// upstream-sim's (TOLLGATE_OAUTH_ANTHROPIC_TOKEN_URL), whose log shows every refresh.

const MODEL = "claude-opus-4-8";

let sim: UpstreamSim;
let cp: TestControlPlane;
let redis: TestRedisPrefix;
let planes: DataPlaneProcess[] = [];

beforeAll(async () => {
  redis = createTestPrefix();
  [sim, cp] = await Promise.all([startUpstreamSim({ quiet: true }), startTestControlPlane("postgres")]);
  const start = () =>
    startDataPlaneProcess({
      planeUrl: cp.running.planeUrl,
      redisPrefix: redis.prefix,
      env: { TOLLGATE_OAUTH_ANTHROPIC_TOKEN_URL: `${sim.url}/oauth/token` },
    });
  planes = await Promise.all([start(), start()]);
});

afterAll(async () => {
  await Promise.all(planes.map((plane) => plane.stop()));
  await cp?.close();
  await sim?.close();
  await redis?.cleanup();
});

interface OAuthAccount {
  account: Account;
  accessToken: string;
  refreshToken: string;
}

/** An OAuth account in the tenant's group; the simulator counts its refresh token as its access token's account. */
async function addOAuthAccount(t: Tenant, expiresInMs: number): Promise<OAuthAccount> {
  const tag = randomBytes(4).toString("hex");
  const accessToken = `sk-ant-oat-${tag}`;
  const refreshToken = `sk-ant-ort-${tag}`;
  sim.linkCredential(refreshToken, accessToken);
  const { account } = await cp.admin.accounts.createAccount({
    name: `oauth-${tag}`,
    platform: Platform.ANTHROPIC,
    type: AccountType.OAUTH,
    baseUrl: sim.url,
    groupIds: [t.group.id],
    priority: 0,
    credentials: { accessToken, refreshToken, expiresAt: timestampFromMs(Date.now() + expiresInMs) },
  });
  return { account: account as Account, accessToken, refreshToken };
}

/**
 * A tenant whose group holds an OAuth account (priority 0) and `apiKeyAccounts` API-key accounts
 * (priority 1), with a key created after all of them: once every data plane knows that key, it has
 * the accounts too (config versions are monotonic).
 */
async function oauthTenant(expiresInMs: number, apiKeyAccounts: number): Promise<{ t: Tenant; oauth: OAuthAccount }> {
  const t = await createTenant({ admin: cp.admin, sim }, { accounts: apiKeyAccounts, priorities: [1] });
  const oauth = await addOAuthAccount(t, expiresInMs);
  const { secret } = await cp.admin.keys.createApiKey({
    userId: t.user.id,
    name: "after-accounts",
    groupId: t.group.id,
  });
  await Promise.all(planes.map((plane) => waitForKey(plane.url, secret)));
  return { t: { ...t, secret }, oauth };
}

function client(t: Tenant, plane: number): Anthropic {
  return new Anthropic({ apiKey: t.secret, baseURL: planes[plane]?.url as string, maxRetries: 0 });
}

function ask(t: Tenant, plane: number) {
  return client(t, plane).messages.create({
    model: MODEL,
    max_tokens: 16,
    messages: [{ role: "user", content: `oauth ${randomUUID()}` }],
  });
}

/** What the simulator saw for this account: token refreshes and messages, oldest first. */
function logOf(oauth: OAuthAccount): SimRequest[] {
  return sim.requests().filter((r) => r.account === oauth.accessToken);
}
const refreshes = (oauth: OAuthAccount) => logOf(oauth).filter((r) => r.operation === "oauth_token");
const messages = (oauth: OAuthAccount) => logOf(oauth).filter((r) => r.operation === "messages");

async function expiryOf(account: Account): Promise<number> {
  const { account: stored } = await cp.admin.accounts.getAccount({ id: account.id });
  return stored?.tokenExpiresAt ? Number(timestampMs(stored.tokenExpiresAt)) : 0;
}

describe("OAuth token refresh across data planes", () => {
  it("a token about to expire is refreshed once before forwarding, whatever the concurrency, and persisted for every data plane", async () => {
    // Inside the refresh window (5 minutes by default).
    const { t, oauth } = await oauthTenant(60_000, 0);
    const expiryBefore = await expiryOf(oauth.account);

    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(t, i % 2)));
    for (const answer of answers) expect(answer.content[0]).toMatchObject({ text: "Hello from upstream-sim." });

    expect(refreshes(oauth)).toHaveLength(1);
    expect(refreshes(oauth)[0]).toMatchObject({
      status: 200,
      credential: oauth.refreshToken,
      body: { grant_type: "refresh_token", refresh_token: oauth.refreshToken },
    });
    // Every request went out with the new token, none with the one about to expire.
    const sent = messages(oauth);
    expect(sent).toHaveLength(8);
    const tokens = new Set(sent.map((r) => r.credential));
    expect(tokens.size).toBe(1);
    const [newToken] = tokens;
    expect(newToken).not.toBe(oauth.accessToken);
    expect(sent.every((r) => r.credentialSource === "authorization" && r.status === 200)).toBe(true);

    // Persisted: the admins see the new expiry (the simulator issues tokens for an hour).
    expect(await expiryOf(oauth.account)).toBeGreaterThan(expiryBefore + 30 * 60_000);

    // Later requests through either data plane use it without refreshing again.
    await ask(t, 0);
    await ask(t, 1);
    expect(
      messages(oauth)
        .slice(8)
        .map((r) => r.credential),
    ).toEqual([newToken, newToken]);
    expect(refreshes(oauth)).toHaveLength(1);
  });

  it("an upstream 401 forces a refresh and a retry on the same account; the other data plane takes the new token from config", async () => {
    // Far from expiry: only the 401 makes the data plane refresh.
    const { t, oauth } = await oauthTenant(2 * 3600_000, 1);
    const expiryBefore = await expiryOf(oauth.account);
    sim.script(oauth.accessToken, [{ kind: "status", status: 401 }]);

    const answer = await ask(t, 0);
    expect(answer.content[0]).toMatchObject({ text: "Hello from upstream-sim." });
    expect(logOf(oauth).map((r) => [r.operation, r.credential, r.status])).toEqual([
      ["messages", oauth.accessToken, 401],
      ["oauth_token", oauth.refreshToken, 200],
      ["messages", expect.stringMatching(/^sim-at-/), 200],
    ]);
    const newToken = messages(oauth)[1]?.credential;
    // The API-key account of the group (priority 1) was never needed.
    expect(sim.requests().filter((r) => r.account === t.credentials[0])).toEqual([]);
    const { account } = await cp.admin.accounts.getAccount({ id: oauth.account.id });
    expect(account?.status).toBe(AccountStatus.ACTIVE);
    // The simulator's tokens live an hour: the persisted expiry moved (here, nearer).
    const expiryAfter = await expiryOf(oauth.account);
    expect(expiryAfter).not.toBe(expiryBefore);
    expect(expiryAfter).toBeGreaterThan(Date.now() + 30 * 60_000);

    // Data plane B learns the token through config (it may serve the old one until then), never refreshing.
    await waitFor(
      async () => {
        await ask(t, 1);
        return messages(oauth).at(-1)?.credential === newToken;
      },
      "data plane B to use the refreshed token",
      10_000,
    );
    expect(refreshes(oauth)).toHaveLength(1);
  });
});
