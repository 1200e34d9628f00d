import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { ProxyRoute } from "../pipeline/proxy.js";
import { anthropicProtocol } from "../protocols/anthropic/index.js";

// Which protocol serves which path. Knows no provider detail beyond naming the protocol folder.

export type Route =
  | { kind: "proxy"; route: ProxyRoute }
  | { kind: "prewarm" }
  | { kind: "health" }
  | { kind: "not_found" }
  | { kind: "method_not_allowed"; allow: string };

export function matchRoute(method: string, url: string): Route {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? "" : url.slice(q);
  if (path === "/") return method === "HEAD" || method === "GET" ? { kind: "prewarm" } : notAllowed("GET, HEAD");
  if (path === "/healthz") return method === "GET" || method === "HEAD" ? { kind: "health" } : notAllowed("GET");
  if (path === "/v1/messages") {
    if (method !== "POST") return notAllowed("POST");
    return {
      kind: "proxy",
      route: {
        surface: "anthropic",
        protocol: anthropicProtocol,
        upstreamPath: path,
        search,
        platforms: [Platform.ANTHROPIC, Platform.ANTIGRAVITY],
      },
    };
  }
  return { kind: "not_found" };
}

function notAllowed(allow: string): Route {
  return { kind: "method_not_allowed", allow };
}
