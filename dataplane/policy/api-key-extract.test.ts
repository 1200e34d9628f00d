import { describe, expect, it } from "vitest";
import { type ApiKeySource, extractApiKey } from "./api-key-extract.js";
import { loadCaptures } from "./captures.fixture.js";
import type { RequestView, Surface } from "./request-view.js";

function view(headers: Record<string, string>, query = "", path = "/v1/messages"): RequestView {
  return { path, query: new URLSearchParams(query), headers, body: undefined };
}

function surfaceOf(path: string): Surface {
  if (path.startsWith("/v1beta/")) return "gemini";
  if (path.startsWith("/v1/messages")) return "anthropic";
  return "openai";
}

describe("extractApiKey on the captures", () => {
  const expected: Record<string, ApiKeySource | undefined> = {
    "claude-code-1": "x-api-key",
    "claude-code-2": "x-api-key",
    "claude-code-3": "authorization",
    "claude-code-4": "x-api-key",
    "codex-1": "authorization",
    "codex-2": "authorization",
    // Codex's built-in provider sent no key at all (CLIENTS.md), nor did its WebSocket attempt.
    "codex-3": undefined,
    "codex-4": undefined,
    "gemini-cli-1": "x-goog-api-key",
    "gemini-cli-2": "x-goog-api-key",
  };
  for (const capture of loadCaptures()) {
    const source = capture.name.startsWith("sdk-")
      ? capture.view.path.startsWith("/v1beta/")
        ? "x-goog-api-key"
        : "authorization"
      : expected[capture.name];
    it(`${capture.name} -> ${source ?? "none"}`, () => {
      const found = extractApiKey(capture.view, surfaceOf(capture.view.path));
      expect(found?.source).toBe(source);
      // The captures redacted every secret to the same placeholder, whichever header carried it.
      if (source) expect(found?.key).toBe("<REDACTED>");
    });
  }
});

describe("extractApiKey", () => {
  const table: Array<[string, Surface, RequestView, string | undefined, ApiKeySource | undefined]> = [
    ["bearer", "anthropic", view({ authorization: "Bearer sk-a" }), "sk-a", "authorization"],
    ["bearer scheme is case-insensitive", "openai", view({ authorization: "bearer  sk-a " }), "sk-a", "authorization"],
    ["basic auth is not a key", "openai", view({ authorization: "Basic dXNlcjpwYXNz" }), undefined, undefined],
    ["bearer with no token", "openai", view({ authorization: "Bearer " }), undefined, undefined],
    ["bearer with two tokens", "openai", view({ authorization: "Bearer a b" }), undefined, undefined],
    ["x-api-key trimmed", "anthropic", view({ "x-api-key": "  sk-b " }), "sk-b", "x-api-key"],
    ["empty x-api-key is absent", "anthropic", view({ "x-api-key": " " }), undefined, undefined],
    ["x-goog-api-key on gemini", "gemini", view({ "x-goog-api-key": "g" }), "g", "x-goog-api-key"],
    ["x-goog-api-key is accepted elsewhere too", "openai", view({ "x-goog-api-key": "g" }), "g", "x-goog-api-key"],
    ["?key= on gemini", "gemini", view({}, "key=q", "/v1beta/models/m:generateContent"), "q", "query"],
    ["?key= ignored on anthropic", "anthropic", view({}, "key=q"), undefined, undefined],
    ["?key= ignored on openai", "openai", view({}, "key=q", "/v1/chat/completions"), undefined, undefined],
    ["?key= on antigravity gemini paths", "antigravity", view({}, "key=q", "/antigravity/v1beta/models"), "q", "query"],
    [
      "?key= ignored on antigravity messages",
      "antigravity",
      view({}, "key=q", "/antigravity/v1/messages"),
      undefined,
      undefined,
    ],
    ["empty ?key= is absent", "gemini", view({}, "key=", "/v1beta/models"), undefined, undefined],
    // precedence: the surface's own header first, ?key= last
    [
      "anthropic prefers x-api-key",
      "anthropic",
      view({ authorization: "Bearer b", "x-api-key": "x" }),
      "x",
      "x-api-key",
    ],
    ["openai prefers bearer", "openai", view({ authorization: "Bearer b", "x-api-key": "x" }), "b", "authorization"],
    [
      "gemini prefers x-goog-api-key",
      "gemini",
      view({ authorization: "Bearer b", "x-goog-api-key": "g" }),
      "g",
      "x-goog-api-key",
    ],
    [
      "gemini header beats ?key=",
      "gemini",
      view({ "x-goog-api-key": "g" }, "key=q", "/v1beta/models"),
      "g",
      "x-goog-api-key",
    ],
    [
      "antigravity messages behave like anthropic",
      "antigravity",
      view({ authorization: "Bearer b", "x-api-key": "x" }, "", "/antigravity/v1/messages"),
      "x",
      "x-api-key",
    ],
    [
      "a malformed bearer falls through to another header",
      "openai",
      view({ authorization: "Token t", "x-api-key": "x" }),
      "x",
      "x-api-key",
    ],
    ["nothing", "anthropic", view({}), undefined, undefined],
  ];
  it.each(table)("%s", (_name, surface, request, key, source) => {
    const found = extractApiKey(request, surface);
    expect(found?.key).toBe(key);
    expect(found?.source).toBe(source);
  });
});
