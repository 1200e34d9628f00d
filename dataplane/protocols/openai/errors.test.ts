import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors.js";
import { openaiChatStreamErrorEvent, openaiErrorBody, openaiResponsesStreamErrorEvent } from "./errors.js";

function events(text: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => out.push(e) }).feed(text);
  return out;
}

describe("openaiErrorBody", () => {
  it.each([
    [new GatewayError("INVALID_REQUEST", "model: a model name is required"), "invalid_request_error"],
    [new GatewayError("INVALID_API_KEY", "Invalid API key"), "authentication_error"],
    [new GatewayError("ACCESS_DENIED", "Access denied"), "permission_error"],
    [new GatewayError("NOT_FOUND", "no route"), "invalid_request_error"],
    [new GatewayError("API_KEY_QUOTA_EXHAUSTED", "quota used up"), "rate_limit_error"],
    [new GatewayError("NO_AVAILABLE_ACCOUNT", "none"), "server_error"],
    [new GatewayError("UPSTREAM_ERROR", "bad gateway"), "server_error"],
  ])("%s -> type %s, our code in `code`", (error, type) => {
    const { contentType, body } = openaiErrorBody(error);
    expect(contentType).toBe("application/json");
    expect(JSON.parse(body)).toEqual({ error: { message: error.message, type, param: null, code: error.code } });
  });
});

describe("stream error events", () => {
  it("chat: one data event holding an error object, no [DONE]", () => {
    const [only, ...rest] = events(openaiChatStreamErrorEvent("upstream stream failed: reset"));
    expect(rest).toEqual([]);
    expect(JSON.parse(only?.data ?? "")).toEqual({
      error: { message: "upstream stream failed: reset", type: "server_error", param: null, code: "UPSTREAM_ERROR" },
    });
  });

  it("responses: an error event (flat and nested fields), then response.failed for Codex", () => {
    const [error, failed, ...rest] = events(openaiResponsesStreamErrorEvent("upstream stream failed: reset"));
    expect(rest).toEqual([]);
    expect(error?.event).toBe("error");
    expect(JSON.parse(error?.data ?? "")).toMatchObject({
      type: "error",
      code: "UPSTREAM_ERROR",
      message: "upstream stream failed: reset",
      error: { type: "server_error", code: "UPSTREAM_ERROR", message: "upstream stream failed: reset" },
    });
    expect(failed?.event).toBe("response.failed");
    expect(JSON.parse(failed?.data ?? "")).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "server_error", message: "upstream stream failed: reset" } },
    });
  });
});
