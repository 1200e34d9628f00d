import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { PlaneKeepalive } from "../common/plane-keepalive.js";
import { AccountService } from "../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyService } from "../gen/tollgate/admin/v1/api_key_pb.js";
import { AuditService } from "../gen/tollgate/admin/v1/audit_pb.js";
import { GroupService } from "../gen/tollgate/admin/v1/group_pb.js";
import { PricingService } from "../gen/tollgate/admin/v1/pricing_pb.js";
import { UsageService } from "../gen/tollgate/admin/v1/usage_pb.js";
import { UserService } from "../gen/tollgate/admin/v1/user_pb.js";
import { type ConfigUpdate, PlaneService } from "../gen/tollgate/plane/v1/plane_pb.js";
import { createTestDatabase } from "../test/support/postgres.js";
import type { Log } from "./context.js";
import { type Database, type Executor, openDatabase, queryRows } from "./db/database.js";
import { type RunningControlPlane, startControlPlane } from "./server.js";

// Test support for the control plane: a running control plane on port 0 (PostgreSQL or PGlite), and
// real Connect clients for it.

export { ADMIN_SERVICES } from "./rpc/admin-services.js";

export const TEST_ADMIN_TOKEN = "test-admin-token";
export const TEST_NODE_TOKEN = "test-node-token";

/** A new PostgreSQL database of its own, migrated and opened; close() also drops it. */
export async function openTestDatabase(): Promise<Database> {
  const test = await createTestDatabase();
  const opened = await openDatabase({ databaseUrl: test.url, pgliteDir: "" });
  return {
    ...opened,
    async close() {
      await opened.close();
      await test.drop();
    },
  };
}

/** The statements prepared on the executor's own session whose text holds `fragment` (pg_prepared_statements). */
export function preparedStatements(ex: Executor, fragment: string): Promise<Array<{ statement: string }>> {
  return queryRows<{ statement: string }>(ex, sql`select statement from pg_prepared_statements`).then((rows) =>
    rows.filter((row) => row.statement.includes(fragment)),
  );
}

export function bearer(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

/** `null` sends no Authorization header. */
export function adminTransport(url: string, token: string | null = TEST_ADMIN_TOKEN): Transport {
  return createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: token ? [bearer(token)] : [] });
}

export function planeTransport(url: string, token: string | null = TEST_NODE_TOKEN): Transport {
  return createConnectTransport({ baseUrl: url, httpVersion: "2", interceptors: token ? [bearer(token)] : [] });
}

export interface AdminClients {
  users: Client<typeof UserService>;
  keys: Client<typeof ApiKeyService>;
  groups: Client<typeof GroupService>;
  accounts: Client<typeof AccountService>;
  pricing: Client<typeof PricingService>;
  usage: Client<typeof UsageService>;
  audit: Client<typeof AuditService>;
}

export function adminClients(transport: Transport): AdminClients {
  return {
    users: createClient(UserService, transport),
    keys: createClient(ApiKeyService, transport),
    groups: createClient(GroupService, transport),
    accounts: createClient(AccountService, transport),
    pricing: createClient(PricingService, transport),
    usage: createClient(UsageService, transport),
    audit: createClient(AuditService, transport),
  };
}

export function planeClient(transport: Transport): Client<typeof PlaneService> {
  return createClient(PlaneService, transport);
}

export interface TestControlPlane {
  running: RunningControlPlane;
  /** The PostgreSQL database, for a second control plane on the same one. */
  databaseUrl?: string;
  admin: AdminClients;
  plane: Client<typeof PlaneService>;
  close(): Promise<void>;
}

export type Backend = "postgres" | "pglite";

/** A control plane on its own database (a fresh PostgreSQL database, or PGlite in a temp dir). */
export async function startTestControlPlane(
  backend: Backend,
  options: {
    databaseUrl?: string;
    log?: Log;
    usageRetentionDays?: number;
    planeKeepalive?: PlaneKeepalive;
    embeddedMaintenanceEveryMs?: number;
  } = {},
): Promise<TestControlPlane> {
  const { databaseUrl } = options;
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-cp-"));
  const database = backend === "postgres" && !databaseUrl ? await createTestDatabase() : undefined;
  const url = databaseUrl ?? database?.url;
  const running = await startControlPlane({
    databaseUrl: url,
    dataDir,
    adminToken: TEST_ADMIN_TOKEN,
    nodeToken: TEST_NODE_TOKEN,
    secretKey: "test-secret-key",
    allowPrivateUpstreams: true,
    // Suites call every method with a wrong token: keep the failure throttle, at a test's pace.
    authThrottle: { baseDelayMs: 1, maxDelayMs: 4, forgetAfterMs: 60_000, maxTracked: 100 },
    adminPort: 0,
    planePort: 0,
    log: options.log ?? (() => {}),
    usageRetentionDays: options.usageRetentionDays,
    planeKeepalive: options.planeKeepalive,
    embeddedMaintenanceEveryMs: options.embeddedMaintenanceEveryMs,
  });
  return {
    running,
    databaseUrl: url,
    admin: adminClients(adminTransport(running.adminUrl)),
    plane: planeClient(planeTransport(running.planeUrl)),
    async close() {
      await running.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A PGlite database in a temp folder of its own, for a suite: opened in beforeAll, closed in afterAll. */
export interface TempPglite {
  readonly dir: string;
  database: Database;
  /** Closes the database and opens the folder again, as a restart does. */
  reopen(): Promise<void>;
  /** Closes the database and removes its folder. */
  close(): Promise<void>;
}

export async function openTempPglite(name: string): Promise<TempPglite> {
  const dir = await mkdtemp(join(tmpdir(), `tollgate-${name}-`));
  const temp: TempPglite = {
    dir,
    database: await openDatabase({ pgliteDir: dir }),
    async reopen() {
      await temp.database.close();
      temp.database = await openDatabase({ pgliteDir: dir });
    },
    async close() {
      await temp.database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return temp;
}

/** Runs `call` and asserts it fails with `code` and a message containing `message`. */
export async function expectConnectError(call: Promise<unknown>, code: Code, message = ""): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error, `expected ${Code[code]}`).toBeDefined();
  expect(Code[(error as ConnectError).code]).toBe(Code[code]);
  expect((error as ConnectError).rawMessage).toContain(message);
  return error as ConnectError;
}

/** A field the response must have. */
export function must<T>(value: T | undefined): T {
  expect(value).toBeDefined();
  return value as T;
}

/** JSON of a response, int64 fields included, to search it for text that must not be there. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export function unique(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}`;
}

export interface ConfigWatch {
  /** The next update, failing after a generous wait. */
  next(): Promise<ConfigUpdate>;
  /** Updates received and not yet taken. */
  pending(): number;
  stop(): void;
}

/** A WatchConfig stream read in the background. */
export function watchConfig(
  client: Client<typeof PlaneService>,
  knownVersion: bigint,
  nodeId = "test-node",
): ConfigWatch {
  const abort = new AbortController();
  const queue: ConfigUpdate[] = [];
  let failure: unknown;
  let wake: () => void = () => {};
  (async () => {
    try {
      for await (const update of client.watchConfig({ nodeId, knownVersion }, { signal: abort.signal })) {
        queue.push(update);
        wake();
      }
    } catch (error) {
      if (!abort.signal.aborted) failure = error;
      wake();
    }
  })();
  return {
    async next() {
      const deadline = Date.now() + 10_000;
      while (queue.length === 0) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error("no config update within 10 s");
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
      return queue.shift() as ConfigUpdate;
    },
    pending: () => queue.length,
    stop: () => abort.abort(),
  };
}
