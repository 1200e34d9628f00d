import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Gauge, Registry } from "prom-client";
import type { PlaneWatchers } from "./config/plane-watchers.js";

// The control plane's Prometheus metrics (GET /metrics on the admin port): the config version, and
// each connected data plane's version and lag behind it. Read at scrape time only.

export interface ControlPlaneMetricSources {
  /** The current config head version (one small query per scrape). */
  configVersion(): Promise<number>;
  watchers: PlaneWatchers;
}

export function controlPlaneRegistry(sources: ControlPlaneMetricSources): Registry {
  const registry = new Registry();
  new Gauge({
    name: "tollgate_controlplane_config_version",
    help: "The config version committed last (all replicas share it).",
    registers: [registry],
    async collect() {
      this.set(await sources.configVersion());
    },
  });
  new Gauge({
    name: "tollgate_dataplanes_connected",
    help: "Data planes watching the config on this replica.",
    registers: [registry],
    collect() {
      this.set(sources.watchers.snapshot().length);
    },
  });
  new Gauge({
    name: "tollgate_dataplane_config_version",
    help: "The config version each connected data plane is up to date with.",
    labelNames: ["node_id"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { nodeId, version } of sources.watchers.snapshot()) this.set({ node_id: nodeId }, version);
    },
  });
  new Gauge({
    name: "tollgate_dataplane_config_lag",
    help: "Config versions each connected data plane is behind the head.",
    labelNames: ["node_id"] as const,
    registers: [registry],
    async collect() {
      const current = await sources.configVersion();
      this.reset();
      for (const { nodeId, version } of sources.watchers.snapshot())
        this.set({ node_id: nodeId }, Math.max(0, current - version));
    },
  });
  return registry;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** GET /metrics, behind a bearer token when one is configured (TOLLGATE_METRICS_TOKEN). */
export function metricsHandler(registry: Registry, token: string | undefined, onError: (error: unknown) => void) {
  const expected = token ? digest(token) : undefined;
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (expected) {
      const header = req.headers.authorization ?? "";
      const presented = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
      if (!timingSafeEqual(digest(presented), expected)) {
        res.writeHead(401, { "content-type": "text/plain" });
        res.end("metrics need the bearer token set in TOLLGATE_METRICS_TOKEN\n");
        return;
      }
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(text);
      },
      (error: unknown) => {
        onError(error);
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("metrics unavailable\n");
      },
    );
  };
}
