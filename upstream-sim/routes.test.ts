import { describe, expect, it } from "vitest";
import { matchRoute } from "./routes.js";

describe("matchRoute", () => {
  const cases: [string, string, boolean, Partial<ReturnType<typeof matchRoute>>][] = [
    ["HEAD", "/", false, { protocol: "none", operation: "head" }],
    ["POST", "/v1/messages", false, { protocol: "anthropic", operation: "messages", antigravity: false }],
    ["POST", "/v1/messages/count_tokens", true, { protocol: "anthropic", operation: "count_tokens" }],
    ["GET", "/v1/models", true, { protocol: "anthropic", operation: "models" }],
    ["GET", "/v1/models", false, { protocol: "openai", operation: "models" }],
    ["POST", "/v1/chat/completions", false, { protocol: "openai", operation: "chat_completions" }],
    ["POST", "/v1/responses", false, { protocol: "openai", operation: "responses" }],
    ["GET", "/v1/responses", false, { protocol: "openai", operation: "not_found" }],
    [
      "POST",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      false,
      { protocol: "gemini", operation: "generate_content", model: "gemini-2.5-flash" },
    ],
    [
      "POST",
      "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
      false,
      { protocol: "gemini", operation: "stream_generate_content", model: "gemini-2.5-pro" },
    ],
    ["POST", "/v1beta/models/m:countTokens", false, { protocol: "gemini", operation: "count_tokens", model: "m" }],
    ["POST", "/v1beta/models/m:embedContent", false, { protocol: "gemini", operation: "not_found" }],
    ["GET", "/v1beta/models", false, { protocol: "gemini", operation: "models" }],
    [
      "POST",
      "/antigravity/v1beta/models/gemini-3-pro:streamGenerateContent",
      false,
      { protocol: "gemini", operation: "stream_generate_content", antigravity: true, model: "gemini-3-pro" },
    ],
    ["POST", "/antigravity/v1/messages", false, { protocol: "anthropic", operation: "messages", antigravity: true }],
    ["POST", "/antigravity/v1/chat/completions", false, { operation: "not_found", antigravity: true }],
    ["POST", "/antigravityx/v1/messages", false, { operation: "not_found", antigravity: false }],
    ["POST", "/oauth/token", false, { protocol: "oauth", operation: "oauth_token" }],
    ["GET", "/_sim/requests", false, { protocol: "sim", operation: "control" }],
    ["GET", "/nope", false, { protocol: "none", operation: "not_found" }],
  ];
  it.each(cases)("%s %s (anthropic-version: %s)", (method, path, anthropic, expected) => {
    expect(matchRoute(method, path, anthropic)).toMatchObject(expected);
  });
});
