import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { GatewayError } from "../errors.js";
import type { Protocol } from "../protocols/protocol.js";
import { matchRoute } from "./routes.js";

/** Which envelope an error route answers in, told by the shape of its body. */
function envelope(protocol: Pick<Protocol, "errorBody">): string {
  const body = JSON.parse(protocol.errorBody(new GatewayError("NOT_FOUND", "x")).body);
  if (body.type === "error") return "anthropic";
  return typeof body.error.status === "string" ? "gemini" : "openai";
}

function summary(method: string, url: string, headers: IncomingHttpHeaders = {}) {
  const match = matchRoute(method, url, headers);
  switch (match.kind) {
    case "proxy": {
      const { surface, protocol, upstreamPath, search, platforms } = match.route;
      return { kind: match.kind, surface, protocol: protocol.name, upstreamPath, search, platforms };
    }
    case "not_found":
      return { kind: match.kind, envelope: envelope(match.protocol) };
    case "method_not_allowed":
      return { kind: match.kind, allow: match.allow, envelope: envelope(match.protocol) };
    default:
      return { kind: match.kind };
  }
}

const ANTHROPIC_GROUPS = [Platform.ANTHROPIC, Platform.ANTIGRAVITY];
const GEMINI_GROUPS = [Platform.GEMINI, Platform.ANTIGRAVITY];
const ANTIGRAVITY_ONLY = [Platform.ANTIGRAVITY];

describe("matchRoute", () => {
  it.each([
    ["POST", "/v1/messages?beta=true", "anthropic", "anthropic", "/v1/messages", "?beta=true", ANTHROPIC_GROUPS],
    ["POST", "/v1/chat/completions", "openai", "openai-chat", "/v1/chat/completions", "", [Platform.OPENAI]],
    ["POST", "/v1/responses", "openai", "openai-responses", "/v1/responses", "", [Platform.OPENAI]],
    [
      "POST",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      "gemini",
      "gemini",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      "",
      GEMINI_GROUPS,
    ],
    [
      "POST",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse&key=k",
      "gemini",
      "gemini",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      "?alt=sse&key=k",
      GEMINI_GROUPS,
    ],
    ["POST", "/antigravity/v1/messages", "antigravity", "anthropic", "/v1/messages", "", ANTIGRAVITY_ONLY],
    [
      "POST",
      "/antigravity/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse",
      "antigravity",
      "gemini",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      "?alt=sse",
      ANTIGRAVITY_ONLY,
    ],
  ])("%s %s -> %s surface, %s protocol", (method, url, surface, protocol, upstreamPath, search, platforms) => {
    expect(summary(method, url)).toEqual({ kind: "proxy", surface, protocol, upstreamPath, search, platforms });
  });

  it.each([
    ["GET", "/v1/responses", "openai"],
    ["POST", "/v1/embeddings", "openai"],
    ["POST", "/v1/messages/batches", "anthropic"],
    ["POST", "/v1beta/models/gemini-2.5-flash:embedContent", "gemini"],
    ["POST", "/v1beta/models/gemini-2.5-flash", "gemini"],
    ["POST", "/antigravity/v1/chat/completions", "anthropic"],
    ["POST", "/antigravity/v1beta/models/m:predict", "gemini"],
    ["POST", "/antigravityv1/messages", "anthropic"],
    ["GET", "/nothing-here", "anthropic"],
  ])("%s %s -> 404 in the %s envelope", (method, url, envelope) => {
    expect(summary(method, url)).toEqual({ kind: "not_found", envelope });
  });

  it.each([
    ["GET", "/v1/chat/completions", "openai"],
    ["PUT", "/v1/responses", "openai"],
    ["GET", "/v1/messages", "anthropic"],
    ["GET", "/v1beta/models/m:generateContent", "gemini"],
    ["GET", "/antigravity/v1beta/models/m:streamGenerateContent", "gemini"],
  ])("%s %s -> 405 in the %s envelope", (method, url, envelope) => {
    expect(summary(method, url)).toEqual({ kind: "method_not_allowed", allow: "POST", envelope });
  });

  it.each([
    ["HEAD", "/", "prewarm"],
    ["GET", "/healthz", "health"],
    ["GET", "/readyz", "ready"],
    ["HEAD", "/readyz", "ready"],
    ["GET", "/metrics", "metrics"],
    ["GET", "/metrics?name=x", "metrics"],
  ])("%s %s -> %s", (method, url, kind) => {
    expect(summary(method, url)).toEqual({ kind });
  });
});
