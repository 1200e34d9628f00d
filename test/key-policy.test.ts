import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileIpRules } from "../common/ip-rules.js";
import type { DataPlane } from "../dataplane/index.js";
import { ApiKeyStatus } from "../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, startTestDataPlane, type Tenant, waitFor } from "./support/stack.js";

// DESIGN §5.2-5.3 as clients see them: every key error on every surface, in the surface's own
// envelope with the stable code; IP rules through trusted proxies; quota and expiry round trips.

interface SurfaceCase {
  name: string;
  platform: Platform;
  path: string;
  body: unknown;
  auth(secret: string): Record<string, string>;
  /** The stable code and the envelope's shape. */
  code(json: unknown, status: number): string | undefined;
}

const anthropicCode = (json: unknown) => {
  const j = json as { type?: string; error?: { type?: string; message?: string; code?: string } };
  return j.type === "error" && typeof j.error?.type === "string" && typeof j.error.message === "string"
    ? j.error.code
    : undefined;
};
const openaiCode = (json: unknown) => {
  const j = json as { error?: { type?: string; message?: string; code?: string } };
  return typeof j.error?.type === "string" && typeof j.error.message === "string" ? j.error.code : undefined;
};
const geminiCode = (json: unknown, status: number) => {
  const j = json as {
    error?: { code?: number; message?: string; status?: string; details?: Array<{ reason?: string }> };
  };
  return j.error?.code === status && typeof j.error.status === "string" && typeof j.error.message === "string"
    ? j.error.details?.[0]?.reason
    : undefined;
};

const SURFACES: SurfaceCase[] = [
  {
    name: "anthropic messages",
    platform: Platform.ANTHROPIC,
    path: "/v1/messages",
    body: { model: "claude-opus-4-8", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
    auth: (secret) => ({ "x-api-key": secret }),
    code: anthropicCode,
  },
  {
    name: "openai chat",
    platform: Platform.OPENAI,
    path: "/v1/chat/completions",
    body: { model: "gpt-5", messages: [{ role: "user", content: "hi" }] },
    auth: (secret) => ({ authorization: `Bearer ${secret}` }),
    code: openaiCode,
  },
  {
    name: "openai responses",
    platform: Platform.OPENAI,
    path: "/v1/responses",
    body: { model: "gpt-5", input: "hi" },
    auth: (secret) => ({ authorization: `Bearer ${secret}` }),
    code: openaiCode,
  },
  {
    name: "gemini",
    platform: Platform.GEMINI,
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
    auth: (secret) => ({ "x-goog-api-key": secret }),
    code: geminiCode,
  },
  {
    name: "antigravity messages",
    platform: Platform.ANTIGRAVITY,
    path: "/antigravity/v1/messages",
    body: { model: "claude-opus-4-8", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
    auth: (secret) => ({ "x-api-key": secret }),
    code: anthropicCode,
  },
];

const MAX_BODY = 64 * 1024;

interface Keys {
  active: Tenant;
  disabled: string;
  expiring: string;
  exhausted: string;
  ipRefused: string;
  broke: string;
  noAccount: string;
}

let stack: Stack;
const keys = new Map<Platform, Keys>();

async function send(surface: SurfaceCase, headers: Record<string, string>, body: string | unknown = surface.body) {
  const response = await fetch(`${stack.dp.url}${surface.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

async function keyFor(
  tenant: Tenant,
  options: { userId?: string; groupId?: string; quotaUsd?: string; expiresAtMs?: number; ipWhitelist?: string[] },
) {
  const { secret, apiKey } = await stack.admin.keys.createApiKey({
    userId: options.userId ?? tenant.user.id,
    groupId: options.groupId ?? tenant.group.id,
    name: "case",
    quotaUsd: options.quotaUsd ?? "",
    ipWhitelist: options.ipWhitelist ?? [],
  });
  return { secret, id: apiKey?.id as string };
}

beforeAll(async () => {
  stack = await startStack({ dataPlane: { maxBodyBytes: MAX_BODY } });
  for (const platform of new Set(SURFACES.map((s) => s.platform))) {
    const active = await createTenant(stack, { platform });
    const broke = (
      await stack.admin.users.createUser({ email: `broke-${platform}@example.com`, name: "Broke", balanceUsd: "0" })
    ).user;
    const empty = (await stack.admin.groups.createGroup({ name: `empty-${platform}`, platform })).group;
    const disabled = await keyFor(active, {});
    await stack.admin.keys.updateApiKey({ id: disabled.id, status: ApiKeyStatus.DISABLED });
    // An admin may expire a key now: its expiry set in the past.
    const expired = await keyFor(active, {});
    await stack.admin.keys.updateApiKey({ id: expired.id, expiresAt: timestampFromMs(Date.now() - 1_000) });
    keys.set(platform, {
      active,
      disabled: disabled.secret,
      expiring: expired.secret,
      exhausted: (await keyFor(active, { quotaUsd: "0.000000001" })).secret,
      ipRefused: (await keyFor(active, { ipWhitelist: ["203.0.113.0/24", "2001:db8::/32"] })).secret,
      broke: (await keyFor(active, { userId: broke?.id as string })).secret,
      noAccount: (await keyFor(active, { groupId: empty?.id as string })).secret,
    });
  }
  // Spend each quota key past its tiny limit: the first request is served, the flip reaches the data plane.
  for (const surface of SURFACES) {
    const k = keys.get(surface.platform) as Keys;
    const { status } = await send(surface, surface.auth(k.exhausted));
    if (status !== 200 && status !== 429) throw new Error(`${surface.name}: quota setup request got ${status}`);
  }
  await stack.dp.usage.drain(5_000);
  await waitFor(
    () =>
      [...stack.dp.config.current.keysById.values()].filter((k) => k.status === ApiKeyStatus.QUOTA_EXHAUSTED).length >=
      keys.size,
    "the exhausted keys to reach the data plane",
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

type Case = [
  label: string,
  status: number,
  code: string,
  pick: (k: Keys) => { secret: string } | "missing",
  body?: string,
];

const CASES: Case[] = [
  ["no key", 401, "API_KEY_REQUIRED", () => "missing"],
  ["an unknown key", 401, "INVALID_API_KEY", () => ({ secret: "sk-tg-unknown" })],
  ["a disabled key", 401, "API_KEY_DISABLED", (k) => ({ secret: k.disabled })],
  ["an expired key", 403, "API_KEY_EXPIRED", (k) => ({ secret: k.expiring })],
  ["a key past its quota", 429, "API_KEY_QUOTA_EXHAUSTED", (k) => ({ secret: k.exhausted })],
  ["a refused IP", 403, "ACCESS_DENIED", (k) => ({ secret: k.ipRefused })],
  ["a user without balance", 403, "INSUFFICIENT_BALANCE", (k) => ({ secret: k.broke })],
  ["a group without accounts", 503, "NO_AVAILABLE_ACCOUNT", (k) => ({ secret: k.noAccount })],
  ["malformed JSON", 400, "INVALID_REQUEST", (k) => ({ secret: k.active.secret }), '{"model": '],
  [
    "a body over the limit",
    413,
    "REQUEST_TOO_LARGE",
    (k) => ({ secret: k.active.secret }),
    `{"pad":"${"x".repeat(MAX_BODY)}"}`,
  ],
];

describe.each(SURFACES)("$name", (surface) => {
  it.each(CASES)("refuses %s with %i %s in its own envelope", async (_label, status, code, pick, body) => {
    const picked = pick(keys.get(surface.platform) as Keys);
    const headers = picked === "missing" ? {} : surface.auth(picked.secret);
    const response = await send(surface, headers, body);
    expect(response.status).toBe(status);
    expect(surface.code(response.json, status)).toBe(code);
    if (code === "ACCESS_DENIED") expect(JSON.stringify(response.json)).toContain('"Access denied"');
  });

  it("serves the active key", async () => {
    const k = keys.get(surface.platform) as Keys;
    const response = await send(surface, surface.auth(k.active.secret));
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.json)).toContain("Hello from upstream-sim.");
  });
});

describe("quota and expiry round trips", () => {
  const anthropic = SURFACES[0] as SurfaceCase;

  it("ResetQuota lets an exhausted key through again", async () => {
    const k = keys.get(Platform.ANTHROPIC) as Keys;
    expect((await send(anthropic, anthropic.auth(k.exhausted))).status).toBe(429);
    const hash = [...stack.dp.config.current.keysById.values()].find(
      (key) => key.status === ApiKeyStatus.QUOTA_EXHAUSTED && key.groupId === k.active.group.id,
    );
    await stack.admin.keys.resetQuota({ id: hash?.id as string });
    await waitFor(
      () => stack.dp.config.current.keysById.get(hash?.id as string)?.status === ApiKeyStatus.ACTIVE,
      "the reset to arrive",
    );
    expect((await send(anthropic, anthropic.auth(k.exhausted))).status).toBe(200);
  });

  it("ClearExpiration lets an expired key through again", async () => {
    const k = keys.get(Platform.ANTHROPIC) as Keys;
    expect((await send(anthropic, anthropic.auth(k.expiring))).status).toBe(403);
    const { apiKeys } = await stack.admin.keys.listApiKeys({ userId: k.active.user.id });
    const expired = apiKeys.find((key) => key.status === ApiKeyStatus.EXPIRED);
    expect(expired).toBeDefined();
    await stack.admin.keys.clearExpiration({ id: expired?.id as string });
    await waitFor(
      () => stack.dp.config.current.keysById.get(expired?.id as string)?.expiresAt === undefined,
      "the cleared expiry to arrive",
    );
    expect((await send(anthropic, anthropic.auth(k.expiring))).status).toBe(200);
  });

  it("stores the client IP and User-Agent on the usage log, for admins", async () => {
    const k = keys.get(Platform.ANTHROPIC) as Keys;
    await send(anthropic, { ...anthropic.auth(k.active.secret), "user-agent": "policy-test/1.0" });
    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: k.active.key.id } });
    expect(logs.find((l) => l.userAgent === "policy-test/1.0")?.ipAddress).toBe("127.0.0.1");
  });
});

describe("IP rules behind a trusted proxy", () => {
  const anthropic = SURFACES[0] as SurfaceCase;
  let behindProxy: DataPlane;
  let restricted: string;

  beforeAll(async () => {
    behindProxy = await startTestDataPlane(stack.cp, { trustedProxies: compileIpRules(["127.0.0.1", "::1"]) });
    const k = keys.get(Platform.ANTHROPIC) as Keys;
    const created = await stack.admin.keys.createApiKey({
      userId: k.active.user.id,
      groupId: k.active.group.id,
      name: "proxied",
      ipWhitelist: ["203.0.113.0/24", "2001:db8::/32"],
      ipBlacklist: ["203.0.113.66", "2001:db8:bad::/48"],
    });
    restricted = created.secret;
    await waitFor(() => behindProxy.config.current.keysById.has(created.apiKey?.id as string), "the proxied key");
    await waitFor(() => stack.dp.config.current.keysById.has(created.apiKey?.id as string), "the proxied key");
  });

  afterAll(async () => {
    await behindProxy?.close();
  });

  async function viaProxy(forwardedFor: string, target = behindProxy.url) {
    const response = await fetch(`${target}${anthropic.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": restricted, "x-forwarded-for": forwardedFor },
      body: JSON.stringify(anthropic.body),
    });
    return response.status;
  }

  it.each([
    ["an allowed IPv4 client", "203.0.113.9", 200],
    ["an IPv4 client outside the whitelist", "198.51.100.7", 403],
    ["a blacklisted IPv4 client inside the whitelist (blacklist first)", "203.0.113.66", 403],
    ["an allowed IPv6 client", "2001:db8::1", 200],
    ["a blacklisted IPv6 client inside the whitelist", "2001:db8:bad::1", 403],
    ["a spoofed leftmost entry: the client is the address our proxy saw", "203.0.113.9, 198.51.100.7", 403],
  ])("%s (%s) gets %i", async (_label, forwardedFor, status) => {
    expect(await viaProxy(forwardedFor)).toBe(status);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    expect(await viaProxy("203.0.113.9", stack.dp.url)).toBe(403);
  });
});

describe("malformed IP entries", () => {
  it("are refused at create and update naming the entry", async () => {
    const k = keys.get(Platform.ANTHROPIC) as Keys;
    await expect(
      stack.admin.keys.createApiKey({
        userId: k.active.user.id,
        groupId: k.active.group.id,
        name: "bad",
        ipWhitelist: ["10.0.0.0/8", "10.0.0.0/33"],
      }),
    ).rejects.toThrow(/ip_whitelist\[1\].*10\.0\.0\.0\/33/);
    await expect(
      stack.admin.keys.updateApiKey({ id: k.active.key.id, ipBlacklist: { values: ["not-an-ip"] } }),
    ).rejects.toThrow(/ip_blacklist\[0\].*not-an-ip/);
  });
});
