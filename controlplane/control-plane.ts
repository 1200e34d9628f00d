import { randomInt } from "node:crypto";
import { join } from "node:path";
import type { ConnectRouter } from "@connectrpc/connect";
import { pino } from "pino";
import type { Registry } from "prom-client";
import { AccountService } from "../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyService } from "../gen/tollgate/admin/v1/api_key_pb.js";
import { AuditService } from "../gen/tollgate/admin/v1/audit_pb.js";
import { GroupService } from "../gen/tollgate/admin/v1/group_pb.js";
import { PricingService } from "../gen/tollgate/admin/v1/pricing_pb.js";
import { UsageService } from "../gen/tollgate/admin/v1/usage_pb.js";
import { UserService } from "../gen/tollgate/admin/v1/user_pb.js";
import { PlaneService } from "../gen/tollgate/plane/v1/plane_pb.js";
import { assertCipherOpens, createCredentialsCipher } from "./accounts/credentials-cipher.js";
import { ChangeFeed } from "./config/change-feed.js";
import { createConfigWriter } from "./config/config-writer.js";
import { PlaneWatchers } from "./config/plane-watchers.js";
import {
  CONFIG_CHANNEL,
  initConfigHead,
  parseChangeNotice,
  pruneTombstones,
  readConfigHead,
} from "./config/versions.js";
import type { Log, ServiceContext } from "./context.js";
import { sampleCredentials } from "./db/accounts.js";
import { openDatabase } from "./db/database.js";
import { controlPlaneRegistry } from "./metrics.js";
import { accountService } from "./rpc/account-service.js";
import { apiKeyService } from "./rpc/api-key-service.js";
import { auditService } from "./rpc/audit-service.js";
import { AuthThrottle, DEFAULT_THROTTLE_CONFIG, type ThrottleConfig } from "./rpc/auth-throttle.js";
import { bearerAuth } from "./rpc/bearer-auth.js";
import { errorBoundary } from "./rpc/error-boundary.js";
import { groupService } from "./rpc/group-service.js";
import { planeService } from "./rpc/plane-service.js";
import { pricingService } from "./rpc/pricing-service.js";
import { RawRecordsPlaneService } from "./rpc/raw-usage-batches.js";
import { usageService } from "./rpc/usage-service.js";
import { userService } from "./rpc/user-service.js";
import { resolveSecret } from "./secrets.js";
import { cachedBillingRates, readBillingRates } from "./usage/billing-rates.js";
import { DEFAULT_PRICES_HASH } from "./usage/default-prices.js";
import { applyUsageBatches, ROLLUP_STRIPES } from "./usage/ingest.js";
import { IngestQueue } from "./usage/ingest-queue.js";
import { pruneUsageLogs } from "./usage/retention.js";
import { UsageVersions } from "./usage/usage-versions.js";

export interface ControlPlaneOptions {
  /** PostgreSQL (postgres.js). When absent: PGlite under `${dataDir}/pglite`. */
  databaseUrl?: string;
  /** TOLLGATE_DATA_DIR: generated secrets (and PGlite) live here. */
  dataDir: string;
  /** TOLLGATE_ADMIN_TOKEN; when unset, generated into dataDir on first start and printed once. */
  adminToken?: string;
  /** TOLLGATE_NODE_TOKEN; same rule. */
  nodeToken?: string;
  /** TOLLGATE_SECRET_KEY; same rule (encrypts upstream credentials at rest). */
  secretKey?: string;
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS=1 */
  allowPrivateUpstreams?: boolean;
  /** TOLLGATE_USAGE_RETENTION_DAYS: raw usage logs older than this are pruned (rollups stay); absent = kept forever. */
  usageRetentionDays?: number;
  /** Structured log lines `{ level, msg, ... }`; JSON on stdout (pino) when absent. Never given secrets. */
  log?: Log;
  /** TOLLGATE_LOG_LEVEL, for the JSON logger made when `log` is absent. */
  logLevel?: string;
  /** How repeated admin-token failures from one address are slowed down (tests shorten it). */
  authThrottle?: ThrottleConfig;
  /** How often the embedded PGlite is checked for a vacuum or a checkpoint (db/embedded-maintenance.ts; tests shorten it). */
  embeddedMaintenanceEveryMs?: number;
}

export interface ControlPlane {
  /** The 7 admin services, admin-token interceptor applied. */
  adminRoutes(router: ConnectRouter): void;
  /** PlaneService, node-token interceptor applied. */
  planeRoutes(router: ConnectRouter): void;
  /** The same for binary requests: ReportUsage's records reach the service encoded (rpc/raw-usage-batches.ts). */
  binaryPlaneRoutes(router: ConnectRouter): void;
  nodeToken: string;
  adminToken: string;
  /** Prometheus metrics: config version, connected data planes and their lag. */
  metrics: Registry;
  close(): Promise<void>;
}

// Deleted resources are remembered this long; a data plane away longer gets a full snapshot.
const TOMBSTONE_TTL_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
// autovacuum_naptime's default.
const EMBEDDED_MAINTENANCE_EVERY_MS = 60_000;
// Billed quota_used and balances reach data planes in at most one config version per this interval.
const USAGE_PUBLISH_INTERVAL_MS = 250;
// Usage transactions in flight at once, and the most records one of them applies (group commit).
const USAGE_WRITERS = 2;
const USAGE_GROUP_RECORDS = 5_000;

function pinoLog(level: string): Log {
  const logger = pino({ level });
  return ({ level, msg, ...rest }) => {
    const method = level === "error" || level === "warn" || level === "debug" ? level : "info";
    logger[method](rest, typeof msg === "string" ? msg : "");
  };
}

export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? pinoLog(options.logLevel ?? "info");
  const adminToken = await resolveSecret(options.dataDir, "admin-token", options.adminToken, "tg-admin-");
  const nodeToken = await resolveSecret(options.dataDir, "node-token", options.nodeToken, "tg-node-");
  const secretKey = await resolveSecret(options.dataDir, "secret-key", options.secretKey);
  // Printed once, to the terminal rather than the log: the operator needs the token, the logs must not hold it.
  if (adminToken.generatedAt) {
    process.stdout.write(
      `tollgate: generated an admin token (saved in ${adminToken.generatedAt}): ${adminToken.value}\n`,
    );
  }
  if (nodeToken.generatedAt) {
    process.stdout.write(`tollgate: generated a node token (saved in ${nodeToken.generatedAt}): ${nodeToken.value}\n`);
  }
  if (secretKey.generatedAt) {
    process.stdout.write(
      `tollgate: generated the credentials encryption key in ${secretKey.generatedAt}; back it up\n`,
    );
  }

  const database = await openDatabase({ databaseUrl: options.databaseUrl, pgliteDir: join(options.dataDir, "pglite") });
  const feed = new ChangeFeed();
  const shutdown = new AbortController();
  let stopListening: () => Promise<void> = async () => {};
  let pruner: NodeJS.Timeout | undefined;
  let maintainer: NodeJS.Timeout | undefined;
  let pruning: Promise<void> = Promise.resolve();
  const cipher = createCredentialsCipher(secretKey.value);
  const usageVersions = new UsageVersions(database.db, feed, USAGE_PUBLISH_INTERVAL_MS);
  const billingRates = cachedBillingRates(() => readBillingRates(database.db), feed);
  // Writers start at a random stripe, so replicas on one database rarely share one.
  const firstStripe = randomInt(ROLLUP_STRIPES);
  const usageIngest = new IngestQueue(
    (batches, writer) =>
      applyUsageBatches(database.db, billingRates, log, batches, (firstStripe + writer) % ROLLUP_STRIPES),
    USAGE_WRITERS,
    USAGE_GROUP_RECORDS,
  );
  try {
    assertCipherOpens(cipher, await sampleCredentials(database.db));
    await initConfigHead(database.db, DEFAULT_PRICES_HASH);
    // Usage billed by a replica that stopped before publishing it.
    await usageVersions.published();
    const prune = async () => {
      await pruneTombstones(database.db, new Date(Date.now() - TOMBSTONE_TTL_MS)).catch((error: unknown) =>
        log({ level: "error", msg: "pruning config tombstones failed", error: String(error) }),
      );
      if (options.usageRetentionDays === undefined) return;
      const before = new Date(Date.now() - options.usageRetentionDays * 24 * 3600_000);
      await pruneUsageLogs(database.db, before, shutdown.signal).then(
        (pruned) =>
          pruned > 0 && log({ level: "info", msg: "pruned usage logs", pruned, before: before.toISOString() }),
        (error: unknown) => log({ level: "error", msg: "pruning usage logs failed", error: String(error) }),
      );
    };
    // In the background, one at a time: a first prune of a large usage table may take a while.
    pruning = prune();
    pruner = setInterval(() => {
      pruning = pruning.then(prune);
    }, PRUNE_EVERY_MS).unref();
    // On the same chain as pruning, so maintenance never runs beside a prune (PGlite's; a server's is a no-op).
    const maintain = () =>
      database
        .maintain(log, shutdown.signal)
        .catch((error: unknown) =>
          log({ level: "error", msg: "maintaining the embedded database failed", error: String(error) }),
        );
    maintainer = setInterval(() => {
      pruning = pruning.then(maintain);
    }, options.embeddedMaintenanceEveryMs ?? EMBEDDED_MAINTENANCE_EVERY_MS).unref();
    // Other replicas' changes (PostgreSQL only); our own arrive too, and the feed skips their versions.
    stopListening = await database.listen(CONFIG_CHANNEL, (payload) => {
      const { version, configVersion } = parseChangeNotice(payload);
      feed.publish(version, configVersion);
    });
  } catch (error) {
    shutdown.abort();
    clearInterval(pruner);
    clearInterval(maintainer);
    await pruning;
    await usageVersions.close();
    await database.close();
    throw error;
  }
  log({ level: "info", msg: "control plane database ready", driver: database.driver });

  const watchers = new PlaneWatchers();
  const ctx: ServiceContext = {
    db: database.db,
    change: createConfigWriter(database.db, feed),
    feed,
    watchers,
    usageVersions,
    usageIngest,
    cipher,
    allowPrivateUpstreams: options.allowPrivateUpstreams ?? false,
    log,
    shutdown: shutdown.signal,
  };
  const boundary = errorBoundary(log);
  const admin = {
    interceptors: [
      boundary,
      bearerAuth(adminToken.value, "admin", new AuthThrottle(options.authThrottle ?? DEFAULT_THROTTLE_CONFIG)),
    ],
  };
  const node = { interceptors: [boundary, bearerAuth(nodeToken.value, "node")] };

  return {
    adminToken: adminToken.value,
    nodeToken: nodeToken.value,
    metrics: controlPlaneRegistry({
      configVersion: async () => (await readConfigHead(database.db)).version,
      watchers,
    }),
    adminRoutes(router) {
      router.service(UserService, userService(ctx), admin);
      router.service(ApiKeyService, apiKeyService(ctx), admin);
      router.service(GroupService, groupService(ctx), admin);
      router.service(AccountService, accountService(ctx), admin);
      router.service(PricingService, pricingService(ctx), admin);
      router.service(UsageService, usageService(ctx), admin);
      router.service(AuditService, auditService(ctx), admin);
    },
    planeRoutes(router) {
      router.service(PlaneService, planeService(ctx), node);
    },
    binaryPlaneRoutes(router) {
      router.service(RawRecordsPlaneService, planeService(ctx), node);
    },
    async close() {
      shutdown.abort();
      clearInterval(pruner);
      clearInterval(maintainer);
      await pruning;
      await usageIngest.close();
      await usageVersions.close();
      await stopListening();
      await database.close();
    },
  };
}
