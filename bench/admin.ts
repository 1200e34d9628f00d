import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AccountService, AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyService } from "../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { GroupService } from "../gen/tollgate/admin/v1/group_pb.js";
import { UserService } from "../gen/tollgate/admin/v1/user_pb.js";

// Provisioning through the admin API, as an operator would: the bench never writes to a database itself.

export interface Admin {
  users: Client<typeof UserService>;
  groups: Client<typeof GroupService>;
  accounts: Client<typeof AccountService>;
  keys: Client<typeof ApiKeyService>;
}

export function adminClient(url: string, token: string): Admin {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] });
  return {
    users: createClient(UserService, transport),
    groups: createClient(GroupService, transport),
    accounts: createClient(AccountService, transport),
    keys: createClient(ApiKeyService, transport),
  };
}

export interface Tenant {
  userId: string;
  groupId: string;
  accountId: string;
  keyId: string;
  secret: string;
}

// A balance no benchmark can spend: 76 KB prompts cost cents each, and a refused request would be
// measured as a fast one.
const UNSPENDABLE_USD = "1000000000000";

/** A user with an unlimited key in a group of one account on this upstream (concurrency unlimited everywhere). */
export async function createTenant(
  admin: Admin,
  name: string,
  platform: Platform,
  upstreamUrl: string,
): Promise<Tenant> {
  const { user } = await admin.users.createUser({ email: `${name}@bench.invalid`, name, balanceUsd: UNSPENDABLE_USD });
  const { group } = await admin.groups.createGroup({ name, platform });
  if (!user || !group) throw new Error("the admin API returned no user or group");
  const { account } = await admin.accounts.createAccount({
    name,
    platform,
    type: AccountType.APIKEY,
    baseUrl: upstreamUrl,
    groupIds: [group.id],
    credentials: { apiKey: `sk-sim-${name}` },
  });
  const { apiKey, secret } = await admin.keys.createApiKey({ userId: user.id, name, groupId: group.id });
  if (!account || !apiKey) throw new Error("the admin API returned no account or key");
  return { userId: user.id, groupId: group.id, accountId: account.id, keyId: apiKey.id, secret };
}

export interface BenchTenants {
  anthropic: Tenant;
  openai: Tenant;
  /** Anthropic, on the slow-stream upstream. */
  slow: Tenant;
}

export async function provisionBenchTenants(
  admin: Admin,
  upstreams: { fast: string; slow: string },
): Promise<BenchTenants> {
  return {
    anthropic: await createTenant(admin, "bench-anthropic", Platform.ANTHROPIC, upstreams.fast),
    openai: await createTenant(admin, "bench-openai", Platform.OPENAI, upstreams.fast),
    slow: await createTenant(admin, "bench-slow", Platform.ANTHROPIC, upstreams.slow),
  };
}
