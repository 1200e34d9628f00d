import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import postgres from "postgres";
import { expect } from "vitest";
import { formatDecimal, parseDecimal } from "../../common/money.js";
import type { AdminClients } from "../../controlplane/test-support.js";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";

// Accounting checks read the control plane's database directly: every usage log billed once, each
// key's quota_used and each user's balance equal to the sums of their logs.

export const MODEL = "claude-opus-4-8";

// Ports for processes that must come back on the same one are taken from here, below the kernel's
// ephemeral range: a port the kernel picked (listen on 0) is free again once closed, and the tests
// running alongside draw their own listeners and outgoing connections from that range, so one of them
// could take it before the process binds it (CI saw a control plane fail with EADDRINUSE).
const FIXED_PORTS_FROM = 10_000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago, outside the ephemeral range: for processes that must come back on the same port after a restart. */
export async function freePort(): Promise<number> {
  const span = ephemeralLow() - FIXED_PORTS_FROM;
  if (span < 1_000)
    throw new Error(`the ephemeral port range starts at ${ephemeralLow()}: no room below it for fixed ports`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIXED_PORTS_FROM + Math.floor(Math.random() * span);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found below the ephemeral range in 100 tries");
}

export interface PaidTenant {
  userId: string;
  keyId: string;
  groupId: string;
  secret: string;
  balanceUsd: string;
}

/** Sets a known price for MODEL. */
export async function setPrice(admin: AdminClients): Promise<void> {
  await admin.pricing.setModelPrice({
    price: { model: MODEL, inputPerMtok: "3", outputPerMtok: "15", cacheWritePerMtok: "3.75", cacheReadPerMtok: "0.3" },
  });
}

/** A user with a balance, a group (rate multiplier) with one simulated account, and a key. */
export async function createPaidTenant(
  admin: AdminClients,
  upstreamUrl: string,
  options: { rateMultiplier?: string; balanceUsd?: string } = {},
): Promise<PaidTenant> {
  const tag = randomBytes(4).toString("hex");
  const balanceUsd = options.balanceUsd ?? "100";
  const user = (
    await admin.users.createUser({ email: `u-${tag}@example.com`, name: `User ${tag}`, balanceUsd, concurrency: 100 })
  ).user;
  const group = (
    await admin.groups.createGroup({
      name: `group-${tag}`,
      platform: Platform.ANTHROPIC,
      rateMultiplier: options.rateMultiplier ?? "1",
    })
  ).group;
  if (!user || !group) throw new Error("tenant not created");
  await admin.accounts.createAccount({
    name: `sim-${tag}`,
    platform: Platform.ANTHROPIC,
    type: AccountType.APIKEY,
    baseUrl: upstreamUrl,
    groupIds: [group.id],
    concurrency: 100,
    credentials: { apiKey: `sk-sim-${tag}` },
  });
  const created = await admin.keys.createApiKey({ userId: user.id, name: `key-${tag}`, groupId: group.id });
  if (!created.apiKey) throw new Error("key not created");
  return { userId: user.id, keyId: created.apiKey.id, groupId: group.id, secret: created.secret, balanceUsd };
}

/** What the database holds for these tenants: their logs, and every key's and user's billed totals. */
export async function billedState(databaseUrl: string, tenants: readonly PaidTenant[]) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const keyIds = tenants.map((t) => t.keyId);
    const userIds = tenants.map((t) => t.userId);
    const logs = await sql<{ request_id: string; api_key_id: string; user_id: string; actual_cost: string }[]>`
      select request_id, api_key_id, user_id, actual_cost::text from usage_logs where api_key_id = any(${keyIds})`;
    const keys = await sql<{ id: string; quota_used: string }[]>`
      select id, quota_used::text from api_keys where id = any(${keyIds})`;
    const users = await sql<{ id: string; balance: string }[]>`
      select id, balance::text from users where id = any(${userIds})`;
    return { logs, keys, users };
  } finally {
    await sql.end();
  }
}

/** Every key's quota_used and every user's balance are exactly what their logs add up to. */
export function expectTotalsMatchLogs(state: Awaited<ReturnType<typeof billedState>>, tenants: readonly PaidTenant[]) {
  for (const tenant of tenants) {
    const spent = state.logs
      .filter((log) => log.api_key_id === tenant.keyId)
      .reduce((sum, log) => sum + (parseDecimal(log.actual_cost) ?? 0n), 0n);
    const key = state.keys.find((k) => k.id === tenant.keyId);
    const user = state.users.find((u) => u.id === tenant.userId);
    expect(parseDecimal(key?.quota_used ?? ""), `quota_used of key ${tenant.keyId}`).toBe(spent);
    expect(formatDecimal(parseDecimal(user?.balance ?? "") ?? -1n), `balance of user ${tenant.userId}`).toBe(
      formatDecimal((parseDecimal(tenant.balanceUsd) ?? 0n) - spent),
    );
  }
}
