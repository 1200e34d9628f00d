import type { IncomingHttpHeaders } from "node:http";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { ProxyRoute } from "../pipeline/deps.js";
import type { ModelListRoute } from "../pipeline/list-models.js";
import { pathOf, type Surface } from "../policy/request-view.js";
import { anthropicProtocol } from "../protocols/anthropic/index.js";
import { anthropicModelList } from "../protocols/anthropic/model-list.js";
import { geminiProtocol } from "../protocols/gemini/index.js";
import { geminiModelList } from "../protocols/gemini/model-list.js";
import { openaiChatProtocol, openaiResponsesProtocol } from "../protocols/openai/index.js";
import { openaiModelList } from "../protocols/openai/model-list.js";
import type { Protocol } from "../protocols/protocol.js";

// Which protocol serves which path (DESIGN §5 surfaces). Knows no provider detail beyond naming the
// protocol folder. `/antigravity/...` mirrors the Anthropic and Gemini paths, forcing the Antigravity
// platform; the account's base URL already ends in /antigravity where the provider wants it.

export type Route =
  | { kind: "proxy"; route: ProxyRoute }
  | { kind: "models"; route: ModelListRoute }
  | { kind: "usage" }
  | { kind: "prewarm" }
  | { kind: "health" }
  | { kind: "ready" }
  | { kind: "metrics" }
  | { kind: "not_found"; protocol: Protocol }
  | { kind: "method_not_allowed"; allow: string; protocol: Protocol };

const ANTHROPIC_GROUPS = [Platform.ANTHROPIC, Platform.ANTIGRAVITY];
const GEMINI_GROUPS = [Platform.GEMINI, Platform.ANTIGRAVITY];
const OPENAI_GROUPS = [Platform.OPENAI];
const ANTIGRAVITY_ONLY = [Platform.ANTIGRAVITY];
const MIRROR = "/antigravity";
const GEMINI_METHOD = /^\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent|countTokens)$/;

export function matchRoute(method: string, url: string, headers: IncomingHttpHeaders = {}): Route {
  const fullPath = pathOf(url);
  const search = url.slice(fullPath.length);
  if (fullPath === "/")
    return method === "HEAD" || method === "GET" ? { kind: "prewarm" } : notAllowed("GET, HEAD", anthropicProtocol);
  if (fullPath === "/healthz")
    return method === "GET" || method === "HEAD" ? { kind: "health" } : notAllowed("GET", anthropicProtocol);
  if (fullPath === "/readyz")
    return method === "GET" || method === "HEAD" ? { kind: "ready" } : notAllowed("GET", anthropicProtocol);
  if (fullPath === "/metrics")
    return method === "GET" || method === "HEAD" ? { kind: "metrics" } : notAllowed("GET", anthropicProtocol);
  if (fullPath === "/v1/usage") return method === "GET" ? { kind: "usage" } : notAllowed("GET", openaiChatProtocol);

  const mirrored = fullPath.startsWith(`${MIRROR}/`);
  const path = mirrored ? fullPath.slice(MIRROR.length) : fullPath;
  const surface: Surface = mirrored ? "antigravity" : "anthropic";

  if (path === "/v1/messages" || path === "/v1/messages/count_tokens") {
    if (method !== "POST") return notAllowed("POST", anthropicProtocol);
    return proxy(
      mirrored ? "antigravity" : "anthropic",
      anthropicProtocol,
      path,
      search,
      mirrored ? ANTIGRAVITY_ONLY : ANTHROPIC_GROUPS,
      path === "/v1/messages",
    );
  }
  const gemini = GEMINI_METHOD.exec(path);
  if (gemini) {
    if (method !== "POST") return notAllowed("POST", geminiProtocol);
    return proxy(
      mirrored ? "antigravity" : "gemini",
      geminiProtocol,
      path,
      search,
      mirrored ? ANTIGRAVITY_ONLY : GEMINI_GROUPS,
      gemini[1] !== "countTokens",
    );
  }
  if (path === "/v1beta/models") {
    if (method !== "GET") return notAllowed("GET", geminiProtocol);
    return {
      kind: "models",
      route: {
        surface: mirrored ? "antigravity" : "gemini",
        protocol: geminiProtocol,
        format: geminiModelList,
        search,
      },
    };
  }
  if (mirrored)
    return { kind: "not_found", protocol: path.startsWith("/v1beta/") ? geminiProtocol : anthropicProtocol };

  switch (path) {
    case "/v1/chat/completions":
      if (method !== "POST") return notAllowed("POST", openaiChatProtocol);
      return proxy("openai", openaiChatProtocol, path, search, OPENAI_GROUPS, true);
    case "/v1/responses":
      // Codex tries a WebSocket upgrade (a GET) first; 404 makes it fall back to SSE.
      if (method === "GET") return { kind: "not_found", protocol: openaiChatProtocol };
      if (method !== "POST") return notAllowed("POST", openaiChatProtocol);
      return proxy("openai", openaiResponsesProtocol, path, search, OPENAI_GROUPS, true);
    case "/v1/models": {
      if (method !== "GET") return notAllowed("GET", openaiChatProtocol);
      // Anthropic and OpenAI share the path; Anthropic's clients always send anthropic-version.
      const anthropic = headers["anthropic-version"] !== undefined;
      const route: ModelListRoute = anthropic
        ? { surface, protocol: anthropicProtocol, format: anthropicModelList, search }
        : { surface: "openai", protocol: openaiChatProtocol, format: openaiModelList, search };
      return { kind: "models", route };
    }
    default:
      return { kind: "not_found", protocol: envelopeFor(path) };
  }
}

function proxy(
  surface: Surface,
  protocol: Protocol,
  upstreamPath: string,
  search: string,
  platforms: readonly Platform[],
  billable: boolean,
): Route {
  return { kind: "proxy", route: { surface, protocol, upstreamPath, search, platforms, billable } };
}

function notAllowed(allow: string, protocol: Protocol): Route {
  return { kind: "method_not_allowed", allow, protocol };
}

/** For paths we do not serve: the envelope of the API the path belongs to. */
function envelopeFor(path: string): Protocol {
  if (path.startsWith("/v1beta/")) return geminiProtocol;
  if (path.startsWith("/v1/messages")) return anthropicProtocol;
  if (path.startsWith("/v1/")) return openaiChatProtocol;
  return anthropicProtocol;
}
