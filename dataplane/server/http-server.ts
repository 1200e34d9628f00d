import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import type { ProxyDeps } from "../pipeline/deps.js";
import { keyUsage } from "../pipeline/key-usage.js";
import { listModels } from "../pipeline/list-models.js";
import { proxy } from "../pipeline/proxy.js";
import { sendError } from "../pipeline/respond.js";
import { openaiChatProtocol } from "../protocols/openai/index.js";
import { matchRoute } from "./routes.js";

// The data plane's listener: routes each request, and turns anything unexpected into a clean error
// response rather than a crash.

export interface HttpServerOptions {
  host: string;
  port: number;
  deps: ProxyDeps;
  log: Logger;
  health(): { ok: boolean; detail: Record<string, unknown> };
}

export interface ListeningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function listen(options: HttpServerOptions): Promise<ListeningServer> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => handle(options, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const match = matchRoute(req.method ?? "GET", req.url ?? "/", req.headers);
  switch (match.kind) {
    case "proxy":
      proxy(options.deps, req, res, match.route).catch((error: unknown) => {
        options.log.error({ err: error }, "request failed unexpectedly");
        sendError(res, match.route.protocol, new GatewayError("INTERNAL_ERROR", "internal error"));
      });
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
      const body = JSON.stringify({ status: ok ? "ok" : "unavailable", ...detail });
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
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
