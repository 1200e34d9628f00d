import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors.js";
import { geminiErrorBody, geminiStreamErrorEvent } from "./errors.js";

describe("geminiErrorBody", () => {
  it.each([
    [new GatewayError("INVALID_REQUEST", "contents: must be an array"), 400, "INVALID_ARGUMENT"],
    [new GatewayError("INVALID_API_KEY", "Invalid API key"), 401, "UNAUTHENTICATED"],
    [new GatewayError("API_KEY_EXPIRED", "expired"), 403, "PERMISSION_DENIED"],
    [new GatewayError("NOT_FOUND", "no route"), 404, "NOT_FOUND"],
    [new GatewayError("REQUEST_TOO_LARGE", "too large"), 413, "INVALID_ARGUMENT"],
    [new GatewayError("UPSTREAM_RATE_LIMITED", "slow down"), 429, "RESOURCE_EXHAUSTED"],
    [new GatewayError("UPSTREAM_ERROR", "bad gateway"), 502, "INTERNAL"],
    [new GatewayError("NO_AVAILABLE_ACCOUNT", "none"), 503, "UNAVAILABLE"],
  ])("%s -> %i %s, our code as an ErrorInfo reason", (error, code, status) => {
    expect(JSON.parse(geminiErrorBody(error).body)).toEqual({
      error: {
        code,
        message: error.message,
        status,
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: error.code, domain: "tollgate" }],
      },
    });
  });
});

describe("geminiStreamErrorEvent", () => {
  it("is one data event whose error has an HTTP error code (what the genai SDK throws on)", () => {
    const out: EventSourceMessage[] = [];
    createParser({ onEvent: (e) => out.push(e) }).feed(geminiStreamErrorEvent("upstream stream failed: reset"));
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]?.data ?? "")).toMatchObject({
      error: { code: 502, status: "INTERNAL", message: "upstream stream failed: reset" },
    });
  });
});
