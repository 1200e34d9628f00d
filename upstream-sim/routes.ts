import type { Operation, Protocol } from "./types.js";

export interface Route {
  protocol: Protocol;
  operation: Operation;
  antigravity: boolean;
  /** Gemini routes carry the model in the path. */
  model: string | null;
}

const ANTIGRAVITY_PREFIX = "/antigravity";
const GEMINI_METHOD = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const GEMINI_OPERATIONS: Record<string, Operation> = {
  generateContent: "generate_content",
  streamGenerateContent: "stream_generate_content",
  countTokens: "count_tokens",
};

function route(protocol: Protocol, operation: Operation, antigravity = false, model: string | null = null): Route {
  return { protocol, operation, antigravity, model };
}

/**
 * Which simulated surface a request addresses. `/v1/models` is shared by Anthropic and OpenAI: an
 * `anthropic-version` header (which every Anthropic client sends) picks Anthropic.
 */
export function matchRoute(method: string, path: string, hasAnthropicVersion: boolean): Route {
  if (path.startsWith("/_sim/")) return route("sim", "control");
  if (method === "HEAD" && path === "/") return route("none", "head");
  if (method === "POST" && path === "/oauth/token") return route("oauth", "oauth_token");

  const antigravity = path === ANTIGRAVITY_PREFIX || path.startsWith(`${ANTIGRAVITY_PREFIX}/`);
  const rest = antigravity ? path.slice(ANTIGRAVITY_PREFIX.length) : path;

  if (method === "POST") {
    if (rest === "/v1/messages") return route("anthropic", "messages", antigravity);
    if (rest === "/v1/messages/count_tokens") return route("anthropic", "count_tokens", antigravity);
    const gemini = GEMINI_METHOD.exec(rest);
    if (gemini) {
      const [, model, verb] = gemini as unknown as [string, string, string];
      return route("gemini", GEMINI_OPERATIONS[verb] as Operation, antigravity, decodeURIComponent(model));
    }
    if (!antigravity && rest === "/v1/chat/completions") return route("openai", "chat_completions");
    if (!antigravity && rest === "/v1/responses") return route("openai", "responses");
  }
  if (method === "GET") {
    if (rest === "/v1beta/models") return route("gemini", "models", antigravity);
    if (rest === "/v1/models") {
      if (hasAnthropicVersion) return route("anthropic", "models", antigravity);
      if (!antigravity) return route("openai", "models");
    }
  }
  return route(protocolOfPath(rest, antigravity), "not_found", antigravity);
}

/** For a 404, the envelope the caller most likely understands. */
function protocolOfPath(path: string, antigravity: boolean): Protocol {
  if (path.startsWith("/v1beta/")) return "gemini";
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (path.startsWith("/v1/")) return antigravity ? "anthropic" : "openai";
  return "none";
}
