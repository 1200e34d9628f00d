import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import pino, { type Logger } from "pino";
import type { IpRule } from "../common/ip-rules.js";
import { PlaneService } from "../gen/tollgate/plane/v1/plane_pb.js";
import { ConfigHolder } from "./config/config-holder.js";
import { ConfigPersister, loadPersistedConfig } from "./config/persisted-config.js";
import { resolveClientIp } from "./policy/client-ip.js";
import { type ListeningServer, listen } from "./server/http-server.js";
import { DEFAULT_MAX_BODY_BYTES } from "./settings.js";
import type { BackoffPolicy } from "./sync/backoff.js";
import { SpendGuard } from "./sync/spend-guard.js";
import { UsageReporter } from "./sync/usage-reporter.js";
import { WatchClient } from "./sync/watch-client.js";
import { DEFAULT_UPSTREAM_TIMEOUTS, UpstreamClient, type UpstreamTimeouts } from "./upstream/upstream-client.js";

// Wires the data plane together: config watch, usage reporting, upstream pools, the HTTP listener.

export interface DataPlaneOptions {
  /** Builds the transport to the control plane's PlaneService (h2c in production, in-process in `npm start`). */
  planeTransport: (interceptors: Interceptor[]) => Transport;
  nodeToken: string;
  nodeId?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  trustedProxies?: readonly IpRule[];
  upstreamTimeouts?: UpstreamTimeouts;
  /**
   * TOLLGATE_DATA_DIR: the usage spool and the persisted config live in its `dataplane/` folder (one
   * data plane per folder). Absent: a temporary folder, removed on close (tests).
   */
  dataDir?: string;
  /** Reconnect delays to the control plane (tests shorten them). */
  backoff?: BackoffPolicy;
  log?: Logger;
}

export interface DataPlane {
  url: string;
  config: ConfigHolder;
  usage: UsageReporter;
  /** Spend not yet billed, per key and user: the pipeline admits requests through it. */
  spend: SpendGuard;
  planeClient: Client<typeof PlaneService>;
  close(): Promise<void>;
}

export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const log = options.log ?? pino({ name: "dataplane" });
  const nodeId = options.nodeId ?? `${hostname()}-${process.pid}`;
  const withNodeToken: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${options.nodeToken}`);
    return next(req);
  };
  const planeClient = createClient(PlaneService, options.planeTransport([withNodeToken]));
  const config = new ConfigHolder((message, detail) => log.warn(detail, message));
  const planeLog = (level: "info" | "warn", message: string, detail?: Record<string, unknown>) =>
    log[level](detail ?? {}, message);
  const watch = new WatchClient({
    client: planeClient,
    holder: config,
    nodeId,
    log: planeLog,
    backoff: options.backoff,
    onApplied: () => persister.schedule(),
  });
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
  const spend = new SpendGuard(config);
  const usage = await UsageReporter.open({
    client: planeClient,
    log: planeLog,
    spoolDir: join(stateDir, "usage-spool"),
    listener: spend,
    backoff: options.backoff,
  });
  const upstream = new UpstreamClient(options.upstreamTimeouts ?? DEFAULT_UPSTREAM_TIMEOUTS);
  const trustedProxies = options.trustedProxies ?? [];

  watch.start();
  usage.start();
  let listening: ListeningServer;
  try {
    listening = await listen({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 8080,
      log,
      deps: {
        config,
        keyUsage: (apiKeyId) => planeClient.getKeyUsage({ apiKeyId }, { timeoutMs: 5_000 }),
        upstream,
        reportUsage: (record) => usage.submit(record),
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        clientIp: (req) =>
          resolveClientIp(req.socket.remoteAddress ?? "", req.headers as Record<string, string>, trustedProxies),
        log,
      },
      health: () => ({
        ok: config.current.version > 0n,
        detail: {
          configVersion: String(config.current.version),
          controlPlane: watch.connected,
          usageBacklog: usage.backlog,
        },
      }),
    });
  } catch (error) {
    await Promise.all([watch.stop(), usage.stop(), upstream.close()]);
    throw error;
  }
  log.info({ url: listening.url, nodeId }, "data plane listening");

  return {
    url: listening.url,
    config,
    usage,
    spend,
    planeClient,
    async close() {
      await listening.close();
      await usage.drain(5_000);
      await Promise.all([watch.stop(), usage.stop()]);
      await persister.flush();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
      await upstream.close();
    },
  };
}
