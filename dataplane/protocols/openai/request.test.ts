import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors.js";
import type { ClientRequest } from "../protocol.js";
import { parseChatRequest, parseResponsesRequest } from "./request.js";

const request: ClientRequest = { method: "POST", upstreamPath: "/v1/x", search: "", headers: {}, rawBody: undefined };

function outcome(result: ReturnType<typeof parseChatRequest>) {
  return result instanceof GatewayError
    ? { code: result.code, status: result.status, message: result.message }
    : result;
}

const messages = [{ role: "user", content: "hi" }];

describe("parseChatRequest", () => {
  it.each([
    ["non-streamed", { model: "gpt-5", messages }, { model: "gpt-5", stream: false }],
    ["streamed", { model: "gpt-5", messages, stream: true }, { model: "gpt-5", stream: true }],
    ["stream null is the default", { model: "gpt-5", messages, stream: null }, { model: "gpt-5", stream: false }],
    [
      "stream_options given",
      { model: "gpt-5", messages, stream: true, stream_options: { include_usage: true } },
      { model: "gpt-5", stream: true },
    ],
  ])("accepts %s", (_name, body, expected) => {
    expect(outcome(parseChatRequest(request, body))).toEqual(expected);
  });

  it.each([
    ["a body that is not an object", [1], "request body must be a JSON object"],
    ["a missing model", { messages }, "model: a model name is required"],
    ["an empty model", { model: "", messages }, "model: a model name is required"],
    ["a model that is not a string", { model: 5, messages }, "model: a model name is required"],
    ["a stream that is not a boolean", { model: "gpt-5", messages, stream: "true" }, "stream: must be a boolean"],
    ["missing messages", { model: "gpt-5" }, "messages: must be an array"],
    [
      "stream_options that are not an object",
      { model: "gpt-5", messages, stream: true, stream_options: "usage" },
      "stream_options: must be an object",
    ],
  ])("refuses %s with 400 INVALID_REQUEST", (_name, body, message) => {
    expect(outcome(parseChatRequest(request, body))).toEqual({ code: "INVALID_REQUEST", status: 400, message });
  });
});

describe("parseResponsesRequest", () => {
  it.each([
    ["text input", { model: "gpt-5-codex", input: "hi" }, { model: "gpt-5-codex", stream: false }],
    ["item input, streamed", { model: "gpt-5-codex", input: [], stream: true }, { model: "gpt-5-codex", stream: true }],
    [
      "no input (a continuation)",
      { model: "gpt-5", previous_response_id: "resp_1" },
      { model: "gpt-5", stream: false },
    ],
  ])("accepts %s", (_name, body, expected) => {
    expect(outcome(parseResponsesRequest(request, body))).toEqual(expected);
  });

  it.each([
    ["a body that is not an object", "hi", "request body must be a JSON object"],
    ["a missing model", { input: "hi" }, "model: a model name is required"],
    ["a stream that is not a boolean", { model: "gpt-5", input: "hi", stream: 1 }, "stream: must be a boolean"],
    [
      "input that is neither text nor items",
      { model: "gpt-5", input: { text: "hi" } },
      "input: must be a string or an array",
    ],
  ])("refuses %s with 400 INVALID_REQUEST", (_name, body, message) => {
    expect(outcome(parseResponsesRequest(request, body))).toEqual({ code: "INVALID_REQUEST", status: 400, message });
  });
});
