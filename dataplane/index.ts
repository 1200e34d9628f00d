import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import pino, { type Logger } from "pino";
import type { IpRule } from "../common/ip-rules.js";
import type { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { PlaneService } from "../gen/tollgate/plane/v1/plane_pb.js";
import { ConfigHolder } from "./config/config-holder.js";
import { ConfigPersister, loadPersistedConfig } from "./config/persisted-config.js";
import { throttledWarnings } from "./log-throttle.js";
import { DataPlaneMetrics } from "./metrics/data-plane-metrics.js";
import { LeaseKeeper } from "./pipeline/lease-keeper.js";
import { DEFAULT_QUEUE_CONFIG, type QueueConfig, SlotQueue } from "./pipeline/slot-wait.js";
import { resolveClientIp } from "./policy/client-ip.js";
import { DEFAULT_FAILOVER_CONFIG, type FailoverConfig } from "./routing/failover-policy.js";
import { initSessionHasher } from "./routing/session-identity.js";
import { type ListeningServer, listen } from "./server/http-server.js";
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server/server-limits.js";
import { DEFAULT_MAX_BODY_BYTES } from "./settings.js";
import { openStore } from "./store/open-store.js";
import { reportAccountState } from "./sync/account-state-reporter.js";
import type { BackoffPolicy } from "./sync/backoff.js";
import { SpendGuard } from "./sync/spend-guard.js";
import { UsageReporter } from "./sync/usage-reporter.js";
import { WatchClient } from "./sync/watch-client.js";
import type { Resolver } from "./upstream/address-guard.js";
import { type OAuthEndpoint, oauthEndpointsFromEnv } from "./upstream/oauth-endpoints.js";
import { OAuthTokens } from "./upstream/oauth-tokens.js";
import { UpstreamClient, type UpstreamTimeouts } from "./upstream/upstream-client.js";

// Wires the data plane together: config watch, usage reporting, the routing store, upstream pools
// and OAuth tokens, the HTTP listener.

export interface DataPlaneOptions {
  /** Builds the transport to the control plane's PlaneService (h2c in production, in-process in `npm start`). */
  planeTransport: (interceptors: Interceptor[]) => Transport;
  nodeToken: string;
  nodeId?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  /** Header size, client timeouts and the shutdown drain (README "Operating"). */
  serverLimits?: Partial<ServerLimits>;
  /** TOLLGATE_METRICS_TOKEN: GET /metrics then needs it as a bearer token. */
  metricsToken?: string;
  trustedProxies?: readonly IpRule[];
  upstreamTimeouts?: UpstreamTimeouts;
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: connect to loopback/private upstream addresses (local simulators). */
  allowPrivateUpstreams?: boolean;
  /** Upstream name resolution; the system's when absent (tests inject names that resolve to loopback). */
  upstreamResolver?: Resolver;
  /**
   * TOLLGATE_DATA_DIR: the usage spool and the persisted config live in its `dataplane/` folder (one
   * data plane per folder). Absent: a temporary folder, removed on close (tests).
   */
  dataDir?: string;
  /** Reconnect delays to the control plane (tests shorten them). */
  backoff?: BackoffPolicy;
  /** Shared routing state across data planes; in memory when absent. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  failover?: Partial<FailoverConfig>;
  queue?: Partial<QueueConfig>;
  slotLeaseMs?: number;
  stickyTtlMs?: number;
  oauthEndpoints?: ReadonlyMap<Platform, OAuthEndpoint>;
  log?: Logger;
  /** TOLLGATE_LOG_LEVEL, for the JSON logger made when `log` is absent. */
  logLevel?: string;
}

export interface DataPlane {
  url: string;
  config: ConfigHolder;
  usage: UsageReporter;
  /** Spend not yet billed, per key and user: the pipeline admits requests through it. */
  spend: SpendGuard;
  planeClient: Client<typeof PlaneService>;
  metrics: DataPlaneMetrics;
  /**
   * Drains: /readyz fails, the listener stops accepting, in-flight requests and streams finish (up
   * to the shutdown deadline), their usage is reported and acked, then everything is closed.
   */
  close(): Promise<void>;
}

// A warning every request repeats during an outage is written at most this often (log-throttle.ts).
const REPEATED_WARNING_INTERVAL_MS = 10_000;

export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const log = options.log ?? pino({ name: "dataplane", level: options.logLevel ?? "info" });
  const warnRepeated = throttledWarnings(log, REPEATED_WARNING_INTERVAL_MS);
  const nodeId = options.nodeId ?? `${hostname()}-${process.pid}`;
  const withNodeToken: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${options.nodeToken}`);
    return next(req);
  };
  const planeClient = createClient(PlaneService, options.planeTransport([withNodeToken]));
  const config = new ConfigHolder((message, detail) => log.warn(detail, message));
  const planeLog = (level: "info" | "warn", message: string, detail?: Record<string, unknown>) =>
    log[level](detail ?? {}, message);
  const temporaryDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), "tollgate-dp-"));
  const stateDir = join(options.dataDir ?? (temporaryDir as string), "dataplane");
  const configPath = join(stateDir, "config.bin");
  // Serve the last config this data plane had (static stability); WatchConfig then asks from its version.
  const persisted = await loadPersistedConfig(configPath, options.nodeToken, planeLog);
  if (persisted) {
    config.apply(persisted);
    log.info({ version: String(persisted.version) }, "serving the persisted config");
  }
  const persister = new ConfigPersister({
    path: configPath,
    nodeToken: options.nodeToken,
    holder: config,
    log: planeLog,
  });
  const {
    store,
    sharedQuota,
    close: closeStore,
  } = await openStore({
    redisUrl: options.redisUrl,
    keyPrefix: options.redisKeyPrefix,
    slotLeaseMs: options.slotLeaseMs,
    stickyTtlMs: options.stickyTtlMs,
    onError: (error) => warnRepeated({ err: error.message }, "routing store error"),
  });
  const spend = new SpendGuard(config, sharedQuota, (error) =>
    warnRepeated({ err: String(error) }, "shared quota store error; this data plane's own count still applies"),
  );
  const usage = await UsageReporter.open({
    client: planeClient,
    log: planeLog,
    spoolDir: join(stateDir, "usage-spool"),
    listener: spend,
    backoff: options.backoff,
  }).catch(async (error: unknown) => {
    await closeStore();
    throw error;
  });
  const upstream = new UpstreamClient({
    timeouts: options.upstreamTimeouts,
    allowPrivate: options.allowPrivateUpstreams,
    resolver: options.upstreamResolver,
  });
  const trustedProxies = options.trustedProxies ?? [];
  const hasher = await initSessionHasher();
  const leases = new LeaseKeeper(store, (error) => warnRepeated({ err: String(error) }, "slot lease renewal failed"));
  const slots = new SlotQueue(store, { ...DEFAULT_QUEUE_CONFIG, ...options.queue });
  const tokens = new OAuthTokens({
    store,
    endpoints: options.oauthEndpoints ?? oauthEndpointsFromEnv(process.env),
    current: (accountId) => config.current.accounts.get(accountId),
    persist: async (accountId, set) => {
      await planeClient.persistOAuthToken(
        {
          accountId,
          accessToken: set.accessToken,
          refreshToken: set.refreshToken,
          expiresAt: timestampFromMs(set.expiresAtMs),
        },
        { timeoutMs: 10_000 },
      );
    },
    log: (message, detail) => log.warn(detail, message),
  });
  // ClearAccountState bumps an account's state epoch: drop what the routing store holds for it. A
  // delta that touches no account keeps the accounts map itself (most deltas under load are billing).
  const epochs = new Map<string, bigint>();
  let accountsSeen: unknown;
  const clearOnNewEpoch = () => {
    if (config.current.accounts === accountsSeen) return;
    accountsSeen = config.current.accounts;
    for (const account of config.current.accounts.values()) {
      const seen = epochs.get(account.id);
      epochs.set(account.id, account.stateEpoch);
      if (seen !== undefined && seen !== account.stateEpoch) {
        store
          .clear(account.id)
          .catch((error: unknown) => log.warn({ err: String(error) }, "clearing account state failed"));
      }
    }
  };
  const watch = new WatchClient({
    client: planeClient,
    holder: config,
    nodeId,
    log: planeLog,
    backoff: options.backoff,
    onApplied: () => {
      clearOnNewEpoch();
      persister.schedule();
    },
  });

  let listening: ListeningServer | undefined;
  const metrics = new DataPlaneMetrics({
    configVersion: () => config.current.version,
    spoolDepth: () => usage.backlog,
    slotsHeld: () => leases.size,
    inFlight: () => listening?.inFlight ?? 0,
    routing: () => store.routingCounts(),
  });

  watch.start();
  usage.start();
  try {
    listening = await listen({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 8080,
      log,
      limits: { ...DEFAULT_SERVER_LIMITS, ...options.serverLimits },
      metrics,
      metricsToken: options.metricsToken,
      deps: {
        config,
        keyUsage: (apiKeyId) => planeClient.getKeyUsage({ apiKeyId }, { timeoutMs: 5_000 }),
        upstream,
        reportUsage: (record) => {
          if (record.firstTokenMs !== undefined) metrics.firstToken(record.platform, Number(record.firstTokenMs));
          usage.submit(record);
        },
        // The only request being served: no other answer's line could join this turn's write.
        whenUsageWritten: (run) => usage.whenWritten(run, listening?.inFlight === 1),
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        clientIp: (req) =>
          resolveClientIp(req.socket.remoteAddress ?? "", req.headers as Record<string, string>, trustedProxies),
        log,
        warnRepeated,
        hasher,
        runtime: store.runtime,
        slots,
        leases,
        failover: { ...DEFAULT_FAILOVER_CONFIG, ...options.failover },
        markAccount: (account, mark) => {
          store
            .mark(account.id, mark)
            .then(() =>
              reportAccountState(planeClient, account.id, store.runtime.get(account.id), mark.kind === "error"),
            )
            .catch((error: unknown) => warnRepeated({ err: String(error) }, "account state report failed", account.id));
        },
        credentialsFor: (account, opts) => tokens.credentialsFor(account, opts),
        bindSession: (groupId, sessionKey, accountId) => {
          store
            .bind(groupId, sessionKey, accountId)
            .catch((error: unknown) => warnRepeated({ err: String(error) }, "session binding failed"));
        },
        spend,
        metrics,
      },
      health: () => ({
        ok: config.current.version > 0n,
        detail: {
          configVersion: String(config.current.version),
          controlPlane: watch.connected,
          usageBacklog: usage.backlog,
        },
      }),
      ready: () => config.current.version > 0n,
    });
  } catch (error) {
    leases.stop();
    await Promise.all([watch.stop(), usage.stop(), upstream.close(), closeStore()]);
    throw error;
  }
  const server = listening;
  log.info({ url: server.url, nodeId }, "data plane listening");

  return {
    url: server.url,
    config,
    usage,
    spend,
    planeClient,
    metrics,
    async close() {
      await server.close();
      if (!(await usage.drain(5_000)))
        log.warn({ backlog: usage.backlog }, "usage not acked before shutdown: kept in the spool for the next start");
      await Promise.all([watch.stop(), usage.stop()]);
      await persister.flush();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
      leases.stop();
      await Promise.all([upstream.close(), closeStore()]);
    },
  };
}
