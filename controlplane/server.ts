import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2Server, type Http2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { PLANE_KEEPALIVE, type PlaneKeepalive } from "../common/plane-keepalive.js";
import { type ControlPlane, type ControlPlaneOptions, createControlPlane } from "./control-plane.js";
import { metricsHandler } from "./metrics.js";
import { peerAddress } from "./rpc/auth-throttle.js";
import { keepSessionAlive } from "./session-keepalive.js";
import { staticFiles } from "./static-files.js";

export interface ControlPlaneServerOptions extends ControlPlaneOptions {
  /** TOLLGATE_HOST, default 127.0.0.1. */
  host?: string;
  /** TOLLGATE_CONTROLPLANE_PORT; 0 picks a free port. */
  adminPort?: number;
  /** TOLLGATE_PLANE_PORT; 0 picks a free port. */
  planePort?: number;
  /** The built web admin, served beside the admin API when given. */
  webRoot?: string;
  /** TOLLGATE_METRICS_TOKEN: GET /metrics then needs it as a bearer token. */
  metricsToken?: string;
  /** PINGs on the plane port's connections (default every 30 s, answered within 15 s). */
  planeKeepalive?: PlaneKeepalive;
}

export interface RunningControlPlane {
  controlPlane: ControlPlane;
  adminUrl: string;
  planeUrl: string;
  close(): Promise<void>;
}

// On shutdown, admin calls already under way get this long to finish.
const ADMIN_DRAIN_MS = 10_000;

function listen(server: Server | Http2Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * The admin API (Connect, gRPC-Web over HTTP/1.1, plus the web admin) on one port and the plane service on
 * another over h2c, because ReportUsage is bidirectional streaming (STACK.md).
 */
export async function startControlPlane(options: ControlPlaneServerOptions): Promise<RunningControlPlane> {
  const host = options.host ?? "127.0.0.1";
  const controlPlane = await createControlPlane(options);
  const web = options.webRoot ? staticFiles(options.webRoot) : undefined;
  const metrics = metricsHandler(controlPlane.metrics, options.metricsToken, (error) =>
    process.stderr.write(`tollgate controlplane: rendering metrics failed: ${String(error)}\n`),
  );
  const adminServer = createHttpServer(
    connectNodeAdapter({
      routes: controlPlane.adminRoutes,
      // The admin token's failure throttle is per address.
      contextValues: (req) => createContextValues().set(peerAddress, req.socket.remoteAddress ?? ""),
      // This listener is HTTP/1.1, so the request and response are node:http's.
      fallback: (req, res) => {
        const request = req as IncomingMessage;
        const response = res as ServerResponse;
        if (request.method === "GET" && request.url?.split("?", 1)[0] === "/metrics") return metrics(request, response);
        if (web) return web(request, response);
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("not found\n");
      },
    }),
  );
  // Binary and JSON requests part here: only binary ReportUsage batches can carry their records encoded.
  const planeJson = connectNodeAdapter({ routes: controlPlane.planeRoutes });
  const planeBinary = connectNodeAdapter({ routes: controlPlane.binaryPlaneRoutes });
  const planeServer = createHttp2Server((req, res) =>
    (req.headers["content-type"]?.includes("json") ? planeJson : planeBinary)(req, res),
  );
  const sessions = new Set<Http2Session>();
  planeServer.on("session", (session) => {
    sessions.add(session);
    keepSessionAlive(session, options.planeKeepalive ?? PLANE_KEEPALIVE);
    session.once("close", () => sessions.delete(session));
  });

  const close = async () => {
    // Stop accepting; admin calls under way finish (up to ADMIN_DRAIN_MS) while the database is still
    // open; then end WatchConfig streams (so nothing long-lived is left) and drop what remains.
    const closed = [adminServer, planeServer].map(
      (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    );
    const deadline = Date.now() + ADMIN_DRAIN_MS;
    let adminDone = false;
    closed[0]?.then(() => {
      adminDone = true;
    });
    while (!adminDone && Date.now() < deadline) {
      adminServer.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await controlPlane.close();
    adminServer.closeAllConnections();
    for (const session of sessions) session.close();
    await Promise.all(closed);
  };

  try {
    const adminPort = await listen(adminServer, options.adminPort ?? 8081, host);
    const planePort = await listen(planeServer, options.planePort ?? 8082, host);
    return { controlPlane, adminUrl: urlOf(host, adminPort), planeUrl: urlOf(host, planePort), close };
  } catch (error) {
    await close();
    throw error;
  }
}
