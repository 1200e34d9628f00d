import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { DataPlaneMetrics } from "../metrics/data-plane-metrics.js";
import type { ProxyDeps } from "../pipeline/deps.js";
import { keyUsage } from "../pipeline/key-usage.js";
import { listModels } from "../pipeline/list-models.js";
import { proxy } from "../pipeline/proxy.js";
import { sendError } from "../pipeline/respond.js";
import { openaiChatProtocol } from "../protocols/openai/index.js";
import { GatewayResponse } from "./gateway-response.js";
import { matchRoute } from "./routes.js";
import type { ServerLimits } from "./server-limits.js";

// The data plane's listener: routes each request, and turns anything unexpected into a clean error
// response rather than a crash. Closing drains: /readyz fails first, then the listener stops
// accepting, in-flight requests and streams get until the shutdown deadline, then the rest is cut.

export interface HttpServerOptions {
  host: string;
  port: number;
  deps: ProxyDeps;
  log: Logger;
  limits: ServerLimits;
  metrics: DataPlaneMetrics;
  /** TOLLGATE_METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken?: string | undefined;
  /** Liveness detail for /healthz. */
  health(): { ok: boolean; detail: Record<string, unknown> };
  /** Whether this data plane can serve traffic (it has a config); /readyz also fails while draining. */
  ready(): boolean;
}

export interface ListeningServer {
  server: Server;
  url: string;
  /** Requests being served now. */
  readonly inFlight: number;
  /** Drains (see above) and resolves once every connection is closed. */
  close(): Promise<void>;
}

/**
 * Connections the kernel completes before the server accepts them (capped by net.core.somaxconn, as
 * Go servers listen). Node's default, 511, overflowed when 1,000 streams opened within a second on a
 * busy 2-core machine (npm run bench): a dropped handshake waits a second for the client's retry even
 * when the server catches up at once; a queued one is accepted as soon as the server gets to it.
 */
const LISTEN_BACKLOG = 4096;

const digest = (text: string) => createHash("sha256").update(text).digest();

export async function listen(options: HttpServerOptions): Promise<ListeningServer> {
  const { limits } = options;
  let inFlight = 0;
  let draining = false;
  let wakeDrain: (() => void) | undefined;
  const metricsToken = options.metricsToken ? digest(options.metricsToken) : undefined;
  const state: ServerState = { draining: () => draining, metricsToken };
  const closed = (res: GatewayResponse) => {
    options.metrics.end(res);
    inFlight--;
    if (inFlight === 0) wakeDrain?.();
  };
  const server = createServer<typeof IncomingMessage, typeof GatewayResponse>(
    {
      IncomingMessage,
      ServerResponse: GatewayResponse,
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    },
    (req, res) => {
      inFlight++;
      res.onClosed = closed;
      res.clientIdleMs = limits.clientIdleTimeoutMs;
      // Draining: answer, but tell the client not to reuse this connection.
      if (draining) res.setHeader("connection", "close");
      handle(options, state, req, res);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  const drain = async () => {
    draining = true;
    if (limits.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, limits.drainDelayMs));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      options.log.info({ inFlight }, "draining in-flight requests");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limits.shutdownTimeoutMs);
        wakeDrain = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (inFlight > 0) options.log.warn({ inFlight }, "shutdown deadline passed: cutting the requests still open");
    }
    server.closeAllConnections();
    await closed;
  };
  return {
    server,
    url: `http://${host}:${port}`,
    get inFlight() {
      return inFlight;
    },
    close: () => {
      closing ??= drain();
      return closing;
    },
  };
}

interface ServerState {
  draining(): boolean;
  metricsToken: Buffer | undefined;
}

function handle(options: HttpServerOptions, state: ServerState, req: IncomingMessage, res: GatewayResponse): void {
  const match = matchRoute(req.method ?? "GET", req.url ?? "/", req.headers);
  switch (match.kind) {
    case "proxy":
      options.metrics.begin(match.route.surface, res);
      // proxy never rejects: it answers its own failures.
      void proxy(options.deps, req, res, match.route);
      return;
    case "models":
      listModels(options.deps, req, res, match.route);
      return;
    case "usage":
      keyUsage(options.deps, req, res, openaiChatProtocol).catch((error: unknown) => {
        options.log.error({ err: error }, "usage request failed unexpectedly");
        sendError(res, openaiChatProtocol, new GatewayError("INTERNAL_ERROR", "internal error"));
      });
      return;
    case "prewarm":
      // Claude Code pre-warms the connection with HEAD /: answer at once, no auth.
      res.writeHead(200, { "content-length": 0 });
      res.end();
      return;
    case "health": {
      const { ok, detail } = options.health();
      sendJson(req, res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", ...detail });
      return;
    }
    case "ready": {
      const status = state.draining() ? "draining" : options.ready() ? "ready" : "no_config";
      sendJson(req, res, status === "ready" ? 200 : 503, { status });
      return;
    }
    case "metrics":
      sendMetrics(options, state, req, res);
      return;
    case "method_not_allowed":
      res.setHeader("allow", match.allow);
      sendError(res, match.protocol, new GatewayError("METHOD_NOT_ALLOWED", `method ${req.method} not allowed`));
      return;
    case "not_found":
      sendError(
        res,
        match.protocol,
        new GatewayError("NOT_FOUND", `no route for ${req.method} ${req.url?.split("?", 1)[0]}`),
      );
      return;
  }
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

function sendMetrics(options: HttpServerOptions, state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  if (state.metricsToken) {
    const header = req.headers.authorization ?? "";
    const presented = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!timingSafeEqual(digest(presented), state.metricsToken)) {
      sendJson(req, res, 401, { error: "metrics need the bearer token set in TOLLGATE_METRICS_TOKEN" });
      return;
    }
  }
  options.metrics.render().then(
    (text) => {
      res.writeHead(200, { "content-type": options.metrics.contentType, "content-length": Buffer.byteLength(text) });
      res.end(req.method === "HEAD" ? undefined : text);
    },
    (error: unknown) => {
      options.log.error({ err: error }, "rendering metrics failed");
      sendJson(req, res, 500, { error: "metrics unavailable" });
    },
  );
}
