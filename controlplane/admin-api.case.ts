import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountStatus, AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyStatus } from "../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { GroupStatus } from "../gen/tollgate/admin/v1/group_pb.js";
import { PriceSource } from "../gen/tollgate/admin/v1/pricing_pb.js";
import { UsageGroupBy } from "../gen/tollgate/admin/v1/usage_pb.js";
import { UserStatus } from "../gen/tollgate/admin/v1/user_pb.js";
import { type UsageBatch, UsageBatchSchema, type UsageRecordSchema } from "../gen/tollgate/plane/v1/plane_pb.js";
import {
  ADMIN_SERVICES,
  adminTransport,
  type Backend,
  expectConnectError,
  jsonText,
  must,
  startTestControlPlane,
  type TestControlPlane,
  unique,
} from "./test-support.js";

// Every admin RPC through a real Connect client against a running control plane, written once and run
// on PostgreSQL and on PGlite (admin-api.postgres.test.ts, admin-api.pglite.test.ts).

type RecordInit = MessageInitShape<typeof UsageRecordSchema>;

export function defineAdminApiSuite(backend: Backend): void {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane(backend);
  });
  afterAll(() => cp?.close());

  const newUser = async (balanceUsd = "10") =>
    must(
      (await cp.admin.users.createUser({ email: `${unique("u")}@example.com`, name: "Test User", balanceUsd })).user,
    );
  const newGroup = async (platform = Platform.ANTHROPIC, rateMultiplier = "1") =>
    must((await cp.admin.groups.createGroup({ name: unique("group"), platform, rateMultiplier })).group);
  const newKey = async (init: { quotaUsd?: string } = {}) => {
    const user = await newUser();
    const group = await newGroup();
    const created = await cp.admin.keys.createApiKey({ userId: user.id, groupId: group.id, name: "k", ...init });
    return { user, group, key: must(created.apiKey), secret: created.secret };
  };
  const reportUsage = async (records: RecordInit[]) => {
    const batches = (async function* (): AsyncGenerator<UsageBatch> {
      yield create(UsageBatchSchema, { batchId: 1n, records });
    })();
    const acks = [];
    for await (const ack of cp.plane.reportUsage(batches)) acks.push(ack);
    return acks;
  };

  describe("authentication", () => {
    const methods = ADMIN_SERVICES.flatMap((service) => service.methods.map((method) => ({ service, method })));

    it.each([
      ["missing", null],
      ["wrong", "not-the-admin-token"],
    ])("refuses every admin method with a %s token", async (_label, token) => {
      expect(methods.length).toBeGreaterThanOrEqual(31);
      const transport = adminTransport(cp.running.adminUrl, token);
      for (const { service, method } of methods) {
        const client = createClient(service, transport) as unknown as Record<string, (req: object) => Promise<unknown>>;
        const call = client[method.localName];
        await expectConnectError((call as (req: object) => Promise<unknown>)({}), Code.Unauthenticated);
      }
    });
  });

  describe("UserService", () => {
    it("creates, gets, updates and lists users", async () => {
      const email = `${unique("Ada")}@Example.com`;
      const user = must(
        (await cp.admin.users.createUser({ email, name: "Ada", balanceUsd: "12.50", concurrency: 3 })).user,
      );
      expect(user).toMatchObject({ email, name: "Ada", status: UserStatus.ACTIVE, balanceUsd: "12.5", concurrency: 3 });
      expect((await cp.admin.users.getUser({ id: user.id })).user?.email).toBe(email);

      const updated = await cp.admin.users.updateUser({ id: user.id, name: "Ada L.", status: UserStatus.DISABLED });
      expect(updated.user).toMatchObject({ name: "Ada L.", status: UserStatus.DISABLED, email, concurrency: 3 });

      const byQuery = await cp.admin.users.listUsers({ query: email.slice(0, 10).toUpperCase() });
      expect(byQuery.users.map((u) => u.id)).toEqual([user.id]);
      const disabled = await cp.admin.users.listUsers({ status: UserStatus.DISABLED, pageSize: 500 });
      expect(disabled.users.every((u) => u.status === UserStatus.DISABLED)).toBe(true);
      expect(disabled.users.map((u) => u.id)).toContain(user.id);
    });

    it("pages through users with keyset tokens", async () => {
      const created = [await newUser(), await newUser(), await newUser()];
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await cp.admin.users.listUsers({ pageSize: 2, pageToken });
        expect(page.users.length).toBeLessThanOrEqual(2);
        seen.push(...page.users.map((u) => u.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(new Set(seen).size).toBe(seen.length);
      for (const user of created) expect(seen).toContain(user.id);
      await expectConnectError(cp.admin.users.listUsers({ pageToken: "garbage" }), Code.InvalidArgument, "page_token");
      await expectConnectError(cp.admin.users.listUsers({ pageSize: -1 }), Code.InvalidArgument, "page_size");
    });

    it("refuses bad input, duplicates and unknown ids", async () => {
      const user = await newUser();
      await expectConnectError(cp.admin.users.createUser({ email: "" }), Code.InvalidArgument, "email: is required");
      await expectConnectError(cp.admin.users.createUser({ email: "nope" }), Code.InvalidArgument, "email:");
      await expectConnectError(
        cp.admin.users.createUser({ email: `${unique("x")}@e.com`, balanceUsd: "-1" }),
        Code.InvalidArgument,
        "balance_usd: must be a non-negative decimal",
      );
      await expectConnectError(
        cp.admin.users.createUser({ email: user.email.toUpperCase() }),
        Code.AlreadyExists,
        "email",
      );
      const other = await newUser();
      await expectConnectError(cp.admin.users.updateUser({ id: other.id, email: user.email }), Code.AlreadyExists);
      await expectConnectError(
        cp.admin.users.createUser({ email: `${unique("big")}@e.com`, balanceUsd: `1${"0".repeat(30)}` }),
        Code.InvalidArgument,
        "invalid value",
      );
      await expectConnectError(
        cp.admin.users.createUser({ email: `${unique("nul")}@e.com`, name: "a\u0000b" }),
        Code.InvalidArgument,
        "invalid value",
      );
      await expectConnectError(cp.admin.users.getUser({ id: "missing" }), Code.NotFound, 'user "missing" not found');
      await expectConnectError(cp.admin.users.updateUser({ id: "missing", name: "x" }), Code.NotFound, "user");
      await expectConnectError(cp.admin.users.deleteUser({ id: "missing" }), Code.NotFound, "user");
    });

    it("adjusts balances exactly and records the reason", async () => {
      const user = await newUser("0.1");
      await cp.admin.users.adjustBalance({ userId: user.id, amountUsd: "0.2", reason: "top-up" });
      const { user: after } = await cp.admin.users.adjustBalance({
        userId: user.id,
        amountUsd: "-0.05",
        reason: "fix",
      });
      expect(after?.balanceUsd).toBe("0.25");
      const events = await cp.admin.audit.listAuditEvents({ targetId: user.id });
      const adjustment = events.events.find((e) => e.action === "UserService/AdjustBalance");
      expect(JSON.parse(adjustment?.afterJson ?? "{}")).toMatchObject({
        adjustment: { amountUsd: "-0.05", reason: "fix" },
      });
      await expectConnectError(
        cp.admin.users.adjustBalance({ userId: user.id, amountUsd: "ten", reason: "x" }),
        Code.InvalidArgument,
        "amount_usd",
      );
      await expectConnectError(
        cp.admin.users.adjustBalance({ userId: user.id, amountUsd: "1", reason: " " }),
        Code.InvalidArgument,
        "reason",
      );
      await expectConnectError(
        cp.admin.users.adjustBalance({ userId: "missing", amountUsd: "1", reason: "x" }),
        Code.NotFound,
        "user",
      );
    });

    it("deletes a user with their keys and keeps their usage logs", async () => {
      const { user, key, group } = await newKey();
      const requestId = unique("req");
      await reportUsage([
        {
          requestId,
          apiKeyId: key.id,
          userId: user.id,
          groupId: group.id,
          model: "claude-sonnet-4-5",
          inputTokens: 10n,
        },
      ]);
      await cp.admin.users.deleteUser({ id: user.id });
      await expectConnectError(cp.admin.users.getUser({ id: user.id }), Code.NotFound);
      await expectConnectError(cp.admin.keys.getApiKey({ id: key.id }), Code.NotFound, "API key");
      const logs = await cp.admin.usage.listUsageLogs({ filter: { userId: user.id } });
      expect(logs.logs.map((l) => l.requestId)).toEqual([requestId]);
    });
  });

  describe("ApiKeyService", () => {
    it("shows the secret once and stores only its hash and prefix", async () => {
      const { key, secret } = await newKey({ quotaUsd: "5" });
      expect(secret).toMatch(/^sk-tg-[0-9A-Za-z]{40}$/);
      expect(key).toMatchObject({
        keyPrefix: secret.slice(0, 10),
        status: ApiKeyStatus.ACTIVE,
        quotaUsd: "5",
        quotaUsedUsd: "0",
      });
      const fetched = await cp.admin.keys.getApiKey({ id: key.id });
      const listed = await cp.admin.keys.listApiKeys({ userId: key.userId });
      const audit = await cp.admin.audit.listAuditEvents({ targetId: key.id });
      for (const response of [fetched, listed, audit]) expect(jsonText(response)).not.toContain(secret.slice(10));
    });

    it("validates what it is given", async () => {
      const user = await newUser();
      const group = await newGroup();
      const base = { userId: user.id, groupId: group.id };
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, quotaUsd: "-3" }),
        Code.InvalidArgument,
        "quota_usd: must be a non-negative decimal",
      );
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, ipWhitelist: ["10.0.0.1", "10.0.0.0/99"] }),
        Code.InvalidArgument,
        'ip_whitelist[1]: "10.0.0.0/99" has an invalid prefix length',
      );
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, ipBlacklist: ["not-an-ip"] }),
        Code.InvalidArgument,
        "ip_blacklist[0]",
      );
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, expiresAt: timestampFromDate(new Date(Date.now() - 1000)) }),
        Code.InvalidArgument,
        "expires_at",
      );
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, userId: "nobody" }),
        Code.NotFound,
        'user_id: user "nobody" not found',
      );
      await expectConnectError(
        cp.admin.keys.createApiKey({ ...base, groupId: "nogroup" }),
        Code.NotFound,
        'group_id: group "nogroup" not found',
      );
      await expectConnectError(cp.admin.keys.createApiKey({ ...base, groupId: "" }), Code.InvalidArgument, "group_id");
      await expectConnectError(cp.admin.keys.getApiKey({ id: "missing" }), Code.NotFound, "API key");
    });

    it("updates fields, clears IP lists and can only set active or disabled", async () => {
      const { key, user } = await newKey();
      const otherGroup = await newGroup();
      const { apiKey } = await cp.admin.keys.updateApiKey({
        id: key.id,
        name: "renamed",
        groupId: otherGroup.id,
        quotaUsd: "2.5",
        ipWhitelist: { values: ["192.0.2.0/24", "2001:db8::1"] },
        ipBlacklist: { values: ["192.0.2.7"] },
      });
      expect(apiKey).toMatchObject({
        name: "renamed",
        groupId: otherGroup.id,
        quotaUsd: "2.5",
        ipWhitelist: ["192.0.2.0/24", "2001:db8::1"],
        ipBlacklist: ["192.0.2.7"],
      });
      const cleared = await cp.admin.keys.updateApiKey({ id: key.id, ipWhitelist: { values: [] } });
      expect(cleared.apiKey).toMatchObject({ ipWhitelist: [], ipBlacklist: ["192.0.2.7"], name: "renamed" });

      const disabled = await cp.admin.keys.updateApiKey({ id: key.id, status: ApiKeyStatus.DISABLED });
      expect(disabled.apiKey?.status).toBe(ApiKeyStatus.DISABLED);
      const listed = await cp.admin.keys.listApiKeys({ userId: user.id, status: ApiKeyStatus.DISABLED });
      expect(listed.apiKeys.map((k) => k.id)).toEqual([key.id]);
      await expectConnectError(
        cp.admin.keys.updateApiKey({ id: key.id, status: ApiKeyStatus.EXPIRED }),
        Code.InvalidArgument,
        "status",
      );
      await expectConnectError(
        cp.admin.keys.updateApiKey({ id: key.id, ipBlacklist: { values: ["1.2.3.4/40"] } }),
        Code.InvalidArgument,
        "ip_blacklist[0]",
      );
      await expectConnectError(cp.admin.keys.updateApiKey({ id: key.id, groupId: "nogroup" }), Code.NotFound, "group");
      await expectConnectError(cp.admin.keys.updateApiKey({ id: "missing", name: "x" }), Code.NotFound, "API key");
    });

    it("reports expiry and ClearExpiration brings the key back", async () => {
      const { key, user } = await newKey();
      const { apiKey } = await cp.admin.keys.updateApiKey({
        id: key.id,
        expiresAt: timestampFromDate(new Date(Date.now() - 60_000)),
      });
      expect(apiKey?.status).toBe(ApiKeyStatus.EXPIRED);
      const expired = await cp.admin.keys.listApiKeys({ userId: user.id, status: ApiKeyStatus.EXPIRED });
      expect(expired.apiKeys.map((k) => k.id)).toEqual([key.id]);
      const active = await cp.admin.keys.listApiKeys({ userId: user.id, status: ApiKeyStatus.ACTIVE });
      expect(active.apiKeys).toEqual([]);
      const { apiKey: cleared } = await cp.admin.keys.clearExpiration({ id: key.id });
      expect(cleared?.status).toBe(ApiKeyStatus.ACTIVE);
      expect(cleared?.expiresAt).toBeUndefined();
      await expectConnectError(cp.admin.keys.clearExpiration({ id: "missing" }), Code.NotFound);
    });

    it("reports quota exhaustion from usage and ResetQuota brings the key back", async () => {
      const { key, user, group } = await newKey({ quotaUsd: "0.01" });
      // 1000 output tokens of claude-sonnet-4 at $15/MTok = $0.015, over the $0.01 quota.
      await reportUsage([
        {
          requestId: unique("r"),
          apiKeyId: key.id,
          userId: user.id,
          groupId: group.id,
          model: "claude-sonnet-4-5",
          outputTokens: 1000n,
        },
      ]);
      const { apiKey } = await cp.admin.keys.getApiKey({ id: key.id });
      expect(apiKey).toMatchObject({ status: ApiKeyStatus.QUOTA_EXHAUSTED, quotaUsedUsd: "0.015" });
      expect(apiKey?.lastUsedAt).toBeDefined();
      const exhausted = await cp.admin.keys.listApiKeys({ userId: user.id, status: ApiKeyStatus.QUOTA_EXHAUSTED });
      expect(exhausted.apiKeys.map((k) => k.id)).toEqual([key.id]);
      const { apiKey: reset } = await cp.admin.keys.resetQuota({ id: key.id });
      expect(reset).toMatchObject({ status: ApiKeyStatus.ACTIVE, quotaUsedUsd: "0" });
      expect((await cp.admin.users.getUser({ id: user.id })).user?.balanceUsd).toBe("9.985");
      await expectConnectError(cp.admin.keys.resetQuota({ id: "missing" }), Code.NotFound);
    });

    it("deletes keys", async () => {
      const { key } = await newKey();
      await cp.admin.keys.deleteApiKey({ id: key.id });
      await expectConnectError(cp.admin.keys.getApiKey({ id: key.id }), Code.NotFound);
      await expectConnectError(cp.admin.keys.deleteApiKey({ id: key.id }), Code.NotFound);
    });
  });

  describe("GroupService", () => {
    it("creates, gets, updates and lists groups", async () => {
      const name = unique("claude");
      const group = must(
        (await cp.admin.groups.createGroup({ name, platform: Platform.ANTHROPIC, description: "d" })).group,
      );
      expect(group).toMatchObject({
        name,
        platform: Platform.ANTHROPIC,
        rateMultiplier: "1",
        status: GroupStatus.ACTIVE,
      });
      expect((await cp.admin.groups.getGroup({ id: group.id })).group?.name).toBe(name);
      const { group: updated } = await cp.admin.groups.updateGroup({
        id: group.id,
        rateMultiplier: "0.8",
        claudeCodeOnly: true,
        status: GroupStatus.DISABLED,
      });
      expect(updated).toMatchObject({
        name,
        rateMultiplier: "0.8",
        claudeCodeOnly: true,
        status: GroupStatus.DISABLED,
      });
      await newGroup(Platform.GEMINI);
      const gemini = await cp.admin.groups.listGroups({ platform: Platform.GEMINI, pageSize: 500 });
      expect(gemini.groups.length).toBeGreaterThan(0);
      expect(gemini.groups.every((g) => g.platform === Platform.GEMINI)).toBe(true);
    });

    it("validates names, platforms and multipliers", async () => {
      const group = await newGroup();
      await expectConnectError(cp.admin.groups.createGroup({ name: "x" }), Code.InvalidArgument, "platform");
      await expectConnectError(
        cp.admin.groups.createGroup({ name: "", platform: Platform.OPENAI }),
        Code.InvalidArgument,
        "name",
      );
      await expectConnectError(
        cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.OPENAI, rateMultiplier: "x" }),
        Code.InvalidArgument,
        "rate_multiplier: must be a non-negative decimal",
      );
      await expectConnectError(
        cp.admin.groups.createGroup({ name: group.name, platform: Platform.OPENAI }),
        Code.AlreadyExists,
        group.name,
      );
      await expectConnectError(cp.admin.groups.getGroup({ id: "missing" }), Code.NotFound, 'group "missing"');
      await expectConnectError(cp.admin.groups.updateGroup({ id: "missing" }), Code.NotFound, "group");
    });

    it("refuses fallback cycles and unknown fallbacks", async () => {
      const a = await newGroup();
      const b = await newGroup();
      const c = must(
        (await cp.admin.groups.createGroup({ name: unique("c"), platform: Platform.ANTHROPIC, fallbackGroupId: b.id }))
          .group,
      );
      await cp.admin.groups.updateGroup({ id: b.id, fallbackGroupId: a.id });
      expect((await cp.admin.groups.getGroup({ id: c.id })).group?.fallbackGroupId).toBe(b.id);
      await expectConnectError(
        cp.admin.groups.updateGroup({ id: a.id, fallbackGroupId: c.id }),
        Code.InvalidArgument,
        "fallback_group_id: would make a fallback cycle",
      );
      await expectConnectError(
        cp.admin.groups.updateGroup({ id: a.id, fallbackGroupId: a.id }),
        Code.InvalidArgument,
        "fallback_group_id",
      );
      await expectConnectError(
        cp.admin.groups.createGroup({ name: unique("d"), platform: Platform.ANTHROPIC, fallbackGroupId: "nogroup" }),
        Code.NotFound,
        'fallback_group_id: group "nogroup" not found',
      );
      const { group } = await cp.admin.groups.updateGroup({ id: b.id, fallbackGroupId: "" });
      expect(group?.fallbackGroupId).toBe("");
    });

    it("refuses to delete a group still in use and deletes it otherwise", async () => {
      const { group, key } = await newKey();
      await expectConnectError(cp.admin.groups.deleteGroup({ id: group.id }), Code.FailedPrecondition, "API key");
      const target = await newGroup();
      await cp.admin.groups.createGroup({
        name: unique("f"),
        platform: Platform.ANTHROPIC,
        fallbackGroupId: target.id,
      });
      await expectConnectError(cp.admin.groups.deleteGroup({ id: target.id }), Code.FailedPrecondition, "fallback");
      await cp.admin.keys.deleteApiKey({ id: key.id });
      await cp.admin.groups.deleteGroup({ id: group.id });
      await expectConnectError(cp.admin.groups.getGroup({ id: group.id }), Code.NotFound);
      await expectConnectError(cp.admin.groups.deleteGroup({ id: group.id }), Code.NotFound);
    });
  });

  describe("AccountService", () => {
    let upstream: Server;
    let upstreamUrl = "";
    const seen: { path: string; apiKey: string }[] = [];
    beforeAll(async () => {
      upstream = createServer((req, res) => {
        const apiKey = String(req.headers["x-api-key"] ?? "");
        seen.push({ path: req.url ?? "", apiKey });
        req.resume();
        req.on("end", () => {
          if (apiKey === "sk-ant-good") {
            res.writeHead(200, { "content-type": "application/json" }).end('{"type":"message"}');
          } else {
            res.writeHead(401, { "content-type": "application/json" }).end(
              JSON.stringify({
                type: "error",
                error: { type: "authentication_error", message: `invalid x-api-key ${apiKey}` },
              }),
            );
          }
        });
      });
      await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
      upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

    const newAccount = async (init: Record<string, unknown> = {}) =>
      must(
        (
          await cp.admin.accounts.createAccount({
            name: unique("acct"),
            platform: Platform.ANTHROPIC,
            type: AccountType.APIKEY,
            credentials: { apiKey: "sk-ant-good" },
            ...init,
          })
        ).account,
      );

    it("creates accounts with write-only credentials", async () => {
      const group = await newGroup();
      const account = await newAccount({
        groupIds: [group.id],
        priority: 2,
        concurrency: 4,
        models: ["claude-sonnet-4-5", " "],
      });
      expect(account).toMatchObject({
        platform: Platform.ANTHROPIC,
        type: AccountType.APIKEY,
        groupIds: [group.id],
        priority: 2,
        concurrency: 4,
        schedulable: true,
        status: AccountStatus.ACTIVE,
        models: ["claude-sonnet-4-5"],
        effectiveBaseUrl: "https://api.anthropic.com",
      });
      const fetched = await cp.admin.accounts.getAccount({ id: account.id });
      const listed = await cp.admin.accounts.listAccounts({ groupId: group.id });
      expect(listed.accounts.map((a) => a.id)).toEqual([account.id]);
      const audit = await cp.admin.audit.listAuditEvents({ targetId: account.id });
      expect(audit.events[0]?.afterJson).toContain('"credentials":"[replaced]"');
      for (const response of [fetched, listed, audit]) expect(jsonText(response)).not.toContain("sk-ant-good");
    });

    it("applies the platform's base URL rules", async () => {
      const antigravity = await newAccount({ platform: Platform.ANTIGRAVITY, baseUrl: "https://relay.example.com/" });
      expect(antigravity.effectiveBaseUrl).toBe("https://relay.example.com/antigravity");
      const gemini = await newAccount({ platform: Platform.GEMINI });
      expect(gemini.effectiveBaseUrl).toBe("https://generativelanguage.googleapis.com");
      await expectConnectError(
        newAccount({ baseUrl: "ftp://example.com" }),
        Code.InvalidArgument,
        "base_url: must be an http(s) URL",
      );
    });

    it("validates platform, type, credentials, names and groups", async () => {
      const gemini = await newGroup(Platform.GEMINI);
      const existing = await newAccount();
      await expectConnectError(newAccount({ platform: Platform.UNSPECIFIED }), Code.InvalidArgument, "platform");
      await expectConnectError(newAccount({ type: AccountType.UNSPECIFIED }), Code.InvalidArgument, "type");
      await expectConnectError(newAccount({ credentials: {} }), Code.InvalidArgument, "credentials.api_key");
      await expectConnectError(
        newAccount({ type: AccountType.OAUTH, credentials: {} }),
        Code.InvalidArgument,
        "credentials.access_token",
      );
      await expectConnectError(newAccount({ name: existing.name }), Code.AlreadyExists, existing.name);
      await expectConnectError(newAccount({ concurrency: -1 }), Code.InvalidArgument, "concurrency");
      await expectConnectError(
        newAccount({ groupIds: [gemini.id] }),
        Code.InvalidArgument,
        `group_ids[0]: group "${gemini.id}" is a gemini group`,
      );
      await expectConnectError(
        newAccount({ groupIds: ["nogroup"] }),
        Code.NotFound,
        'group_ids[0]: group "nogroup" not found',
      );
      await expectConnectError(cp.admin.accounts.getAccount({ id: "missing" }), Code.NotFound, 'account "missing"');
    });

    it("updates fields, memberships and credentials", async () => {
      const [g1, g2] = [await newGroup(), await newGroup()];
      const account = await newAccount({ groupIds: [g1.id] });
      const { account: updated } = await cp.admin.accounts.updateAccount({
        id: account.id,
        priority: 7,
        schedulable: false,
        status: AccountStatus.DISABLED,
        groupIds: { values: [g2.id] },
        models: { values: [] },
        credentials: { apiKey: "sk-ant-rotated" },
        baseUrl: upstreamUrl,
      });
      expect(updated).toMatchObject({
        priority: 7,
        schedulable: false,
        status: AccountStatus.DISABLED,
        groupIds: [g2.id],
        baseUrl: upstreamUrl,
        effectiveBaseUrl: upstreamUrl,
      });
      await expectConnectError(
        cp.admin.accounts.updateAccount({ id: account.id, status: AccountStatus.ERROR }),
        Code.InvalidArgument,
        "status",
      );
      await expectConnectError(
        cp.admin.accounts.updateAccount({ id: account.id, credentials: {} }),
        Code.InvalidArgument,
        "credentials.api_key",
      );
      await expectConnectError(cp.admin.accounts.updateAccount({ id: "missing" }), Code.NotFound, "account");
      const tested = await cp.admin.accounts.testAccount({ id: account.id });
      expect(tested).toMatchObject({ ok: false, statusCode: 401 });
      expect(seen.at(-1)?.apiKey).toBe("sk-ant-rotated");
    });

    it("tests an account against its upstream without revealing the credential", async () => {
      const good = await newAccount({ baseUrl: upstreamUrl });
      const result = await cp.admin.accounts.testAccount({ id: good.id });
      expect(result).toMatchObject({ ok: true, statusCode: 200 });
      expect(seen.at(-1)).toEqual({ path: "/v1/messages", apiKey: "sk-ant-good" });

      const bad = await newAccount({ baseUrl: upstreamUrl, credentials: { apiKey: "sk-ant-wrong-credential" } });
      const failed = await cp.admin.accounts.testAccount({ id: bad.id });
      expect(failed).toMatchObject({ ok: false, statusCode: 401 });
      expect(failed.message).toContain("invalid x-api-key");
      expect(failed.message).not.toContain("sk-ant-wrong-credential");

      const unreachable = await newAccount({ baseUrl: "http://127.0.0.1:1" });
      const down = await cp.admin.accounts.testAccount({ id: unreachable.id });
      expect(down).toMatchObject({ ok: false, statusCode: 0 });
      expect(down.message).toContain("request failed");
      await expectConnectError(cp.admin.accounts.testAccount({ id: "missing" }), Code.NotFound);
    });

    it("shows reported state and ClearAccountState clears it", async () => {
      const account = await newAccount();
      const until = timestampFromDate(new Date(Date.now() + 60_000));
      await cp.plane.reportAccountState({
        accountId: account.id,
        state: { rateLimitedUntil: until, lastError: "401 from upstream", reason: "auth" },
        credentialsRejected: true,
      });
      const { account: errored } = await cp.admin.accounts.getAccount({ id: account.id });
      expect(errored?.status).toBe(AccountStatus.ERROR);
      expect(errored?.state).toMatchObject({ lastError: "401 from upstream", reason: "auth", rateLimitedUntil: until });
      const inError = await cp.admin.accounts.listAccounts({ status: AccountStatus.ERROR, pageSize: 500 });
      expect(inError.accounts.map((a) => a.id)).toContain(account.id);

      const { account: cleared } = await cp.admin.accounts.clearAccountState({ id: account.id });
      expect(cleared?.status).toBe(AccountStatus.ACTIVE);
      expect(cleared?.state).toBeUndefined();
      await expectConnectError(cp.admin.accounts.clearAccountState({ id: "missing" }), Code.NotFound);
    });

    it("deletes accounts", async () => {
      const account = await newAccount();
      await cp.admin.accounts.deleteAccount({ id: account.id });
      await expectConnectError(cp.admin.accounts.getAccount({ id: account.id }), Code.NotFound);
      await expectConnectError(cp.admin.accounts.deleteAccount({ id: account.id }), Code.NotFound);
    });
  });

  describe("PricingService", () => {
    it("lists the defaults, overrides them and reverts on delete", async () => {
      const defaults = await cp.admin.pricing.listModelPrices({ query: "claude-sonnet-4" });
      expect(defaults.prices.find((p) => p.model === "claude-sonnet-4*")).toMatchObject({
        inputPerMtok: "3",
        outputPerMtok: "15",
        source: PriceSource.DEFAULT,
      });
      const price = {
        model: "claude-sonnet-4*",
        inputPerMtok: "2",
        outputPerMtok: "10",
        cacheWritePerMtok: "2.5",
        cacheReadPerMtok: "0.2",
      };
      const { price: set } = await cp.admin.pricing.setModelPrice({ price });
      expect(set).toMatchObject({ ...price, source: PriceSource.OVERRIDE });
      expect(set?.updatedAt).toBeDefined();
      const overridden = await cp.admin.pricing.listModelPrices({ query: "CLAUDE-SONNET-4" });
      expect(overridden.prices.filter((p) => p.model === "claude-sonnet-4*")).toMatchObject([
        { inputPerMtok: "2", source: PriceSource.OVERRIDE },
      ]);
      await cp.admin.pricing.deleteModelPrice({ model: "claude-sonnet-4*" });
      const reverted = await cp.admin.pricing.listModelPrices({ query: "claude-sonnet-4" });
      expect(reverted.prices.find((p) => p.model === "claude-sonnet-4*")?.source).toBe(PriceSource.DEFAULT);

      const custom = unique("my-model");
      await cp.admin.pricing.setModelPrice({ price: { ...price, model: custom } });
      expect((await cp.admin.pricing.listModelPrices({ query: custom })).prices.map((p) => p.model)).toEqual([custom]);
    });

    it("pages through prices", async () => {
      const all: string[] = [];
      let pageToken = "";
      do {
        const page = await cp.admin.pricing.listModelPrices({ pageSize: 7, pageToken });
        all.push(...page.prices.map((p) => p.model));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(all.length).toBeGreaterThan(20);
      expect([...all].sort()).toEqual(all);
      expect(new Set(all).size).toBe(all.length);
    });

    it("validates prices", async () => {
      const price = {
        model: "m",
        inputPerMtok: "1",
        outputPerMtok: "1",
        cacheWritePerMtok: "1",
        cacheReadPerMtok: "1",
      };
      await expectConnectError(
        cp.admin.pricing.setModelPrice({ price: { ...price, model: "" } }),
        Code.InvalidArgument,
        "price.model",
      );
      await expectConnectError(
        cp.admin.pricing.setModelPrice({ price: { ...price, model: "a*b" } }),
        Code.InvalidArgument,
        "price.model",
      );
      await expectConnectError(
        cp.admin.pricing.setModelPrice({ price: { ...price, inputPerMtok: "-1" } }),
        Code.InvalidArgument,
        "price.input_per_mtok: must be a non-negative decimal",
      );
      await expectConnectError(
        cp.admin.pricing.setModelPrice({ price: { ...price, cacheReadPerMtok: "" } }),
        Code.InvalidArgument,
        "price.cache_read_per_mtok",
      );
      await expectConnectError(cp.admin.pricing.deleteModelPrice({ model: "never-set" }), Code.NotFound, "never-set");
    });
  });

  describe("UsageService", () => {
    it("lists logs newest first with filters and paging, and aggregates them", async () => {
      const { key, user, group } = await newKey();
      const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
      const records = Array.from({ length: 5 }, (_, i) => ({
        requestId: unique(`r${i}`),
        apiKeyId: key.id,
        userId: user.id,
        accountId: "acct-1",
        groupId: group.id,
        model: i < 3 ? "claude-sonnet-4-5" : "claude-haiku-4-5",
        platform: Platform.ANTHROPIC,
        inputTokens: 1000n,
        outputTokens: 100n,
        cacheReadTokens: 10n,
        durationMs: BigInt(100 * (i + 1)),
        firstTokenMs: i === 0 ? undefined : 50n,
        statusCode: 200,
        stream: true,
        createdAt: timestampFromDate(new Date(t0 + i * 3600_000)),
      }));
      await reportUsage(records);

      const pages: string[] = [];
      let pageToken = "";
      do {
        const page = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id }, pageSize: 2, pageToken });
        pages.push(...page.logs.map((l) => l.requestId));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(pages).toEqual(records.map((r) => r.requestId).reverse());

      const { logs } = await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: key.id, model: "claude-haiku-4-5" } });
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatchObject({
        userId: user.id,
        groupId: group.id,
        apiKeyName: "k",
        platform: "anthropic",
        inputTokens: 1000n,
        firstTokenMs: 50n,
        // 1000 x $1 + 100 x $5 + 10 x $0.1 per MTok
        costUsd: "0.001501",
        actualCostUsd: "0.001501",
      });
      const first = await cp.admin.usage.listUsageLogs({
        filter: {
          apiKeyId: key.id,
          startTime: timestampFromDate(new Date(t0)),
          endTime: timestampFromDate(new Date(t0 + 1)),
        },
      });
      expect(first.logs.map((l) => l.firstTokenMs)).toEqual([undefined]);

      const stats = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id }, groupBy: UsageGroupBy.MODEL });
      expect(stats.totals).toMatchObject({
        requests: 5n,
        inputTokens: 5000n,
        outputTokens: 500n,
        cacheReadTokens: 50n,
        totalTokens: 5550n,
        averageDurationMs: 300n,
      });
      // sonnet: 3 x (1000 x 3 + 100 x 15 + 10 x 0.3) / 1e6 = 0.013509; haiku: 2 x 0.001501
      expect(stats.totals?.costUsd).toBe("0.016511");
      expect(stats.buckets.map((b) => [b.key, b.totals?.requests, b.totals?.costUsd])).toEqual([
        ["claude-haiku-4-5", 2n, "0.003002"],
        ["claude-sonnet-4-5", 3n, "0.013509"],
      ]);
      const hourly = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id }, groupBy: UsageGroupBy.HOUR });
      expect(hourly.buckets.map((b) => b.startTime?.seconds)).toEqual(
        records.map((_, i) => BigInt((t0 + i * 3600_000) / 1000)),
      );
      const daily = await cp.admin.usage.getUsageStats({ filter: { apiKeyId: key.id }, groupBy: UsageGroupBy.DAY });
      expect(daily.buckets.map((b) => [b.key, b.totals?.requests])).toEqual([["2026-01-01T00:00:00Z", 5n]]);
      // Half-hour edges (raw logs around hourly rollups), and a key with an account (raw logs only).
      const edges = {
        startTime: timestampFromDate(new Date(t0 + 1800_000)),
        endTime: timestampFromDate(new Date(t0 + 12_600_000)),
      };
      for (const filter of [{ apiKeyId: key.id }, { apiKeyId: key.id, accountId: "acct-1" }]) {
        const within = await cp.admin.usage.getUsageStats({
          filter: { ...filter, ...edges },
          groupBy: UsageGroupBy.HOUR,
        });
        expect(within.totals).toMatchObject({ requests: 3n, inputTokens: 3000n, averageDurationMs: 300n });
        expect(within.buckets.map((b) => b.key)).toEqual([
          "2026-01-01T11:00:00Z",
          "2026-01-01T12:00:00Z",
          "2026-01-01T13:00:00Z",
        ]);
      }

      await expectConnectError(
        cp.admin.usage.getUsageStats({
          filter: { startTime: timestampFromDate(new Date(t0)), endTime: timestampFromDate(new Date(t0)) },
        }),
        Code.InvalidArgument,
        "filter.end_time",
      );
      await expectConnectError(cp.admin.usage.listUsageLogs({ pageToken: "x" }), Code.InvalidArgument, "page_token");
    });
  });

  describe("AuditService", () => {
    it("records every change with before and after, filtered and paged", async () => {
      const group = await newGroup();
      await cp.admin.groups.updateGroup({ id: group.id, description: "one" });
      await cp.admin.groups.updateGroup({ id: group.id, description: "two" });
      await cp.admin.groups.deleteGroup({ id: group.id });
      const first = await cp.admin.audit.listAuditEvents({ targetType: "group", targetId: group.id, pageSize: 3 });
      expect(first.events.map((e) => e.action)).toEqual([
        "GroupService/DeleteGroup",
        "GroupService/UpdateGroup",
        "GroupService/UpdateGroup",
      ]);
      expect(first.events[0]).toMatchObject({ actor: "admin", targetType: "group", afterJson: "" });
      expect(JSON.parse(first.events[1]?.beforeJson ?? "")).toMatchObject({ description: "one" });
      expect(JSON.parse(first.events[1]?.afterJson ?? "")).toMatchObject({ description: "two" });
      const rest = await cp.admin.audit.listAuditEvents({ targetId: group.id, pageToken: first.nextPageToken });
      expect(rest.events.map((e) => e.action)).toEqual(["GroupService/CreateGroup"]);
      expect(rest.nextPageToken).toBe("");
      const future = await cp.admin.audit.listAuditEvents({
        targetId: group.id,
        startTime: timestampFromDate(new Date(Date.now() + 3600_000)),
      });
      expect(future.events).toEqual([]);
      expect((await cp.admin.audit.listAuditEvents({ actor: "someone-else" })).events).toEqual([]);
    });
  });
}
