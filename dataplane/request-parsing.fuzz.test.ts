import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "./errors.js";
import { extractApiKey } from "./policy/api-key-extract.js";
import { detectClaudeCode } from "./policy/claude-code.js";
import { parseClaudeCodeUserId } from "./policy/claude-code-user-id.js";
import type { RequestView, Surface } from "./policy/request-view.js";
import { anthropicProtocol } from "./protocols/anthropic/index.js";
import { geminiProtocol } from "./protocols/gemini/index.js";
import { openaiChatProtocol, openaiResponsesProtocol } from "./protocols/openai/index.js";
import type { ClientRequest, Protocol } from "./protocols/protocol.js";
import { initSessionHasher, type SessionHasher, sessionIdentity } from "./routing/session-identity.js";
import { matchRoute } from "./server/routes.js";

// Property tests over everything that reads client input before a request reaches an upstream: the
// router, each protocol's request parser, key extraction, Claude Code detection and session identity.
// Whatever the input, none of them throws: a parser answers a ParsedRequest or a GatewayError, and
// the rest answer a value. Inputs lean towards the shapes the code looks for (messages, contents,
// system, metadata.user_id, session headers) so the deep branches are reached, not only the guards.

let hasher: SessionHasher;
beforeAll(async () => {
  hasher = await initSessionHasher();
});

const SURFACES: Surface[] = ["anthropic", "openai", "gemini", "antigravity"];
const PROTOCOLS: Protocol[] = [anthropicProtocol, openaiChatProtocol, openaiResponsesProtocol, geminiProtocol];
const GEMINI_ACTIONS = ["generateContent", "streamGenerateContent", "countTokens"];

const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom("", "..", "%2F", "@", "%ZZ"));
const anyJson = fc.jsonValue({ maxDepth: 4 });
const part = fc.oneof(anyJson, fc.record({ type: fc.constantFrom("text", "image", "tool_use"), text: anyJson }));
const turn = fc.record(
  {
    role: fc.oneof(fc.constantFrom("user", "assistant", "system", "developer", "model"), anyJson),
    content: fc.oneof(text, fc.array(part, { maxLength: 4 }), anyJson),
    parts: fc.oneof(fc.array(part, { maxLength: 4 }), anyJson),
  },
  { requiredKeys: [] },
);
const userId = fc.oneof(
  text,
  fc.uuid().map((session) => JSON.stringify({ device_id: "d".repeat(64), account_uuid: "", session_id: session })),
  fc.uuid().map((session) => `user_${"a".repeat(64)}_account__session_${session}`),
  anyJson.map((value) => JSON.stringify(value)),
);
const body = fc.oneof(
  anyJson,
  fc.record(
    {
      model: fc.oneof(text, anyJson),
      stream: fc.oneof(fc.boolean(), anyJson),
      system: fc.oneof(text, fc.array(part, { maxLength: 3 }), anyJson),
      messages: fc.oneof(fc.array(turn, { maxLength: 6 }), anyJson),
      input: fc.oneof(text, fc.array(turn, { maxLength: 4 }), anyJson),
      contents: fc.oneof(fc.array(turn, { maxLength: 6 }), anyJson),
      systemInstruction: fc.oneof(turn, anyJson),
      generateContentRequest: fc.oneof(fc.record({ contents: fc.array(turn, { maxLength: 3 }) }), anyJson),
      metadata: fc.oneof(fc.record({ user_id: userId }), anyJson),
      prompt_cache_key: fc.oneof(text, anyJson),
      stream_options: anyJson,
    },
    { requiredKeys: [] },
  ),
);
const headerValue = fc.oneof(
  text,
  fc.uuid(),
  fc.constantFrom("claude-cli/2.1.197 (external, cli)", "Bearer ", "Bearer x"),
);
const headers = fc.record(
  {
    authorization: headerValue,
    "x-api-key": headerValue,
    "x-goog-api-key": headerValue,
    "user-agent": headerValue,
    "x-app": headerValue,
    "anthropic-beta": headerValue,
    "x-claude-code-session-id": headerValue,
    "session-id": headerValue,
    "thread-id": headerValue,
    session_id: headerValue,
    conversation_id: headerValue,
  },
  { requiredKeys: [] },
);
const query = fc.array(fc.tuple(fc.constantFrom("key", "alt", "beta", "x"), text), { maxLength: 3 });

function view(path: string, q: [string, string][], h: Record<string, string>, b: unknown): RequestView {
  return { path, query: new URLSearchParams(q), headers: h, body: b };
}

describe("request parsing never throws", () => {
  it("routes any method and request target", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "POST", "HEAD", "PUT", "OPTIONS"),
        fc.oneof(text, fc.webUrl(), fc.webPath()),
        (method, url) => {
          expect(() => matchRoute(method, url.startsWith("/") ? url : `/${url}`)).not.toThrow();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("parses any body on every protocol into a request or a GatewayError", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROTOCOLS),
        text,
        fc.constantFrom(...GEMINI_ACTIONS),
        query,
        headers,
        body,
        (protocol, model, action, q, h, b) => {
          const request: ClientRequest = {
            method: "POST",
            upstreamPath: protocol === geminiProtocol ? `/v1beta/models/${model}:${action}` : "/v1/messages",
            search: q.length ? `?${new URLSearchParams(q)}` : "",
            headers: h,
            rawBody: Buffer.from(JSON.stringify(b) ?? ""),
          };
          const parsed = protocol.parseRequest(request, b);
          if (parsed instanceof GatewayError) {
            expect(parsed.status).toBeGreaterThanOrEqual(400);
            expect(parsed.status).toBeLessThan(500);
          } else {
            expect(typeof parsed.model).toBe("string");
            expect(typeof parsed.stream).toBe("boolean");
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it("extracts keys, detects Claude Code and derives a session identity from any request", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SURFACES),
        fc.constantFrom(...PROTOCOLS),
        query,
        headers,
        body,
        (surface, protocol, q, h, b) => {
          const v = view("/v1/messages", q, h, b);
          extractApiKey(v, surface);
          detectClaudeCode(v);
          const identity = sessionIdentity(
            v,
            protocol.conversation,
            { clientIp: "203.0.113.9", apiKeyId: "k" },
            hasher,
          );
          expect(identity).toBeDefined();
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it("reads any metadata.user_id", () => {
    fc.assert(
      fc.property(fc.oneof(userId, anyJson), (value) => {
        expect(() => parseClaudeCodeUserId(value)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });
});
