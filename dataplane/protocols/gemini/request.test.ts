import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors.js";
import type { ClientRequest } from "../protocol.js";
import { parseGeminiRequest } from "./request.js";

const contents = [{ role: "user", parts: [{ text: "hi" }] }];

function parse(upstreamPath: string, search: string, body: unknown) {
  const request: ClientRequest = { method: "POST", upstreamPath, search, headers: {}, rawBody: undefined };
  const result = parseGeminiRequest(request, body);
  return result instanceof GatewayError
    ? { code: result.code, status: result.status, message: result.message }
    : result;
}

describe("parseGeminiRequest", () => {
  it.each([
    [
      "generateContent",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      "",
      { model: "gemini-2.5-flash", stream: false },
    ],
    [
      "streamGenerateContent with alt=sse",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      "?alt=sse",
      { model: "gemini-3.8-flash", stream: true },
    ],
    [
      "streamGenerateContent with alt=sse after the key",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      "?key=k&alt=sse",
      { model: "gemini-3.8-flash", stream: true },
    ],
    [
      "streamGenerateContent without alt=sse (a JSON array, read whole)",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      "",
      { model: "gemini-3.8-flash", stream: false },
    ],
    [
      "a URL-encoded model name",
      "/v1beta/models/tuned%20model:generateContent",
      "",
      { model: "tuned model", stream: false },
    ],
  ])("reads the model and stream mode of %s", (_name, path, search, expected) => {
    expect(parse(path, search, { contents })).toEqual(expected);
  });

  it.each([
    [
      "a body that is not an object",
      "/v1beta/models/m:generateContent",
      [contents],
      "request body must be a JSON object",
    ],
    ["missing contents", "/v1beta/models/m:generateContent", { systemInstruction: {} }, "contents: must be an array"],
    [
      "contents that are not an array",
      "/v1beta/models/m:generateContent",
      { contents: "hi" },
      "contents: must be an array",
    ],
    [
      "a broken escape in the model name",
      "/v1beta/models/m%E0%A4%A:generateContent",
      { contents },
      "model: the model name in the path is not valid URL encoding",
    ],
  ])("refuses %s with 400 INVALID_REQUEST", (_name, path, body, message) => {
    expect(parse(path, "", body)).toEqual({ code: "INVALID_REQUEST", status: 400, message });
  });
});
