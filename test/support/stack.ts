import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import {
  type AdminClients,
  type Backend,
  startTestControlPlane,
  TEST_NODE_TOKEN,
  type TestControlPlane,
} from "../../controlplane/test-support.js";
import { type DataPlane, type DataPlaneOptions, startDataPlane } from "../../dataplane/index.js";
import { hashSecret } from "../../dataplane/pipeline/authorize.js";
import { planeTransportTo } from "../../dataplane/plane-transport.js";
import type { Account } from "../../gen/tollgate/admin/v1/account_pb.js";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { ApiKey } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { Group } from "../../gen/tollgate/admin/v1/group_pb.js";
import type { User } from "../../gen/tollgate/admin/v1/user_pb.js";
import { startUpstreamSim, type UpstreamSim } from "../../upstream-sim/index.js";
import { waitFor } from "./wait-for.js";

export { waitFor };

// The whole gateway for cross-plane tests: upstream-sim as the provider, a control plane on its own
// PostgreSQL database (or PGlite), and a data plane connected to it over h2c — every port ephemeral.

export interface Stack {
  sim: UpstreamSim;
  cp: TestControlPlane;
  dp: DataPlane;
  admin: AdminClients;
  close(): Promise<void>;
}

export interface StackOptions {
  backend?: Backend;
  dataPlane?: Partial<Omit<DataPlaneOptions, "planeTransport" | "nodeToken">>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startUpstreamSim({ quiet: true });
  const cp = await startTestControlPlane(options.backend ?? "postgres");
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-dp-"));
  const dp = await startTestDataPlane(cp, { dataDir, ...options.dataPlane });
  return {
    sim,
    cp,
    dp,
    admin: cp.admin,
    async close() {
      await dp.close();
      await cp.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another data plane on the stack's control plane. Without a data dir it makes a temporary one of its
 * own and removes it when closed.
 */
export async function startTestDataPlane(
  cp: TestControlPlane,
  options: Partial<Omit<DataPlaneOptions, "planeTransport" | "nodeToken">> = {},
): Promise<DataPlane> {
  return startDataPlane({
    planeTransport: planeTransportTo(cp.running.planeUrl),
    nodeToken: TEST_NODE_TOKEN,
    nodeId: `test-${randomBytes(3).toString("hex")}`,
    port: 0,
    log: pino({ level: "silent" }),
    // upstream-sim listens on loopback.
    allowPrivateUpstreams: true,
    ...options,
  });
}

export interface TenantOptions {
  platform?: Platform;
  balanceUsd?: string;
  /** Simulated accounts to create in the tenant's group, each with its own credential. */
  accounts?: number;
  accountType?: AccountType;
  /** Priority of each account in order (lower is tried first); all 0 when absent. */
  priorities?: number[];
  /** Concurrency of each account; 0 (unlimited) when absent. */
  concurrency?: number;
  rateMultiplier?: string;
  quotaUsd?: string;
}

export interface Tenant {
  user: User;
  group: Group;
  accounts: Account[];
  /** The upstream credential of each account, in the same order (upstream-sim keys its log by it). */
  credentials: string[];
  key: ApiKey;
  secret: string;
}

/** What createTenant needs: the admin API and the simulator, and the in-process data plane to wait for if any. */
export type TenantStack = Pick<Stack, "admin" | "sim"> & { dp?: Pick<DataPlane, "config"> };

/**
 * A user with a key in a group of simulated accounts, live in the data plane's config when it returns
 * (without an in-process data plane, the caller waits for its own: waitForKey in dataplane-process.ts).
 */
export async function createTenant(stack: TenantStack, options: TenantOptions = {}): Promise<Tenant> {
  const tag = randomBytes(4).toString("hex");
  const platform = options.platform ?? Platform.ANTHROPIC;
  const { admin } = stack;
  const user = (
    await admin.users.createUser({
      email: `u-${tag}@example.com`,
      name: `User ${tag}`,
      balanceUsd: options.balanceUsd ?? "10",
    })
  ).user as User;
  const group = (
    await admin.groups.createGroup({ name: `group-${tag}`, platform, rateMultiplier: options.rateMultiplier ?? "1" })
  ).group as Group;
  const accounts: Account[] = [];
  const credentials: string[] = [];
  for (let i = 0; i < (options.accounts ?? 1); i++) {
    const credential = `sk-sim-${tag}-${i}`;
    const created = await admin.accounts.createAccount({
      name: `sim-${tag}-${i}`,
      platform,
      type: options.accountType ?? AccountType.APIKEY,
      baseUrl: stack.sim.url,
      groupIds: [group.id],
      priority: options.priorities?.[i] ?? 0,
      concurrency: options.concurrency ?? 0,
      credentials: { apiKey: credential },
    });
    accounts.push(created.account as Account);
    credentials.push(credential);
  }
  const created = await admin.keys.createApiKey({
    userId: user.id,
    name: `key-${tag}`,
    groupId: group.id,
    quotaUsd: options.quotaUsd ?? "",
  });
  const tenant = { user, group, accounts, credentials, key: created.apiKey as ApiKey, secret: created.secret };
  const { dp } = stack;
  if (dp) {
    await waitFor(
      () => dp.config.current.keysByHash.has(hashSecret(tenant.secret)),
      "the data plane to receive the new key",
    );
  }
  return tenant;
}
