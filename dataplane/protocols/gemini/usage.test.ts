import { describe, expect, it } from "vitest";
import type { StreamObserver, Usage } from "../protocol.js";
import { CHUNK_SIZES, observed, pushInChunks } from "../stream.fixture.js";
import { GeminiStreamObserver, geminiUsageFromBody } from "./usage.js";

// A `?alt=sse` stream recorded from upstream-sim (the prompt sent twice, so the second answer has
// cached tokens), CRLF-framed as Google sends it. The clock handed to the observer is its own event
// count, so `firstTokenAt` says which event carried the first token.

const sse = (json: string) => `data: ${json}\r\n\r\n`;
const FIRST = sse(
  '{"candidates":[{"content":{"parts":[{"text":"Hé"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":6263,"totalTokenCount":6263},"modelVersion":"gemini-2.5-flash","responseId":"r1"}',
);
const LAST = sse(
  '{"candidates":[{"content":{"parts":[{"text":" there."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":6263,"candidatesTokenCount":3,"totalTokenCount":6266,"cachedContentTokenCount":6260,"promptTokensDetails":[{"modality":"TEXT","tokenCount":6263}]},"modelVersion":"gemini-2.5-flash","responseId":"r1"}',
);
const THINKING = sse(
  '{"candidates":[{"content":{"parts":[{"text":"","thought":true}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":40,"totalTokenCount":40}}',
);
const CALL = sse(
  '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"ls","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":7,"thoughtsTokenCount":20,"toolUsePromptTokenCount":5,"totalTokenCount":72}}',
);
const ERROR = sse('{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}');

const cached: Usage = { inputTokens: 3, outputTokens: 3, cacheCreationTokens: 0, cacheReadTokens: 6260 };

describe("GeminiStreamObserver", () => {
  it.each([
    [
      "a recorded stream: the last usageMetadata wins, cached tokens taken out of the prompt",
      FIRST + LAST,
      { usage: cached, firstTokenAt: 1, completed: true, streamError: undefined, events: 2 },
    ],
    [
      "LF framing reads the same",
      (FIRST + LAST).replaceAll("\r\n", "\n"),
      { usage: cached, firstTokenAt: 1, completed: true },
    ],
    [
      "thinking and tool-use tokens: an empty text part is no token, a function call is",
      THINKING + CALL,
      {
        usage: { inputTokens: 45, outputTokens: 27, cacheCreationTokens: 0, cacheReadTokens: 0 },
        firstTokenAt: 2,
        completed: true,
      },
    ],
    [
      "a stream cut before finishReason keeps the running usage but is not complete",
      FIRST + LAST.slice(0, 90),
      {
        usage: { inputTokens: 6263, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
        completed: false,
        events: 1,
      },
    ],
    [
      "an error chunk inside the stream",
      FIRST + ERROR,
      { streamError: { type: "UNAVAILABLE", message: "The model is overloaded." }, completed: false },
    ],
  ])("%s", (_name, stream, expected) => {
    for (const size of CHUNK_SIZES) {
      const observer: StreamObserver = new GeminiStreamObserver(() => observer.events);
      pushInChunks(observer, stream, size);
      expect(observed(observer), `chunks of ${size} bytes`).toMatchObject(expected);
    }
  });
});

describe("geminiUsageFromBody", () => {
  const metadata = {
    promptTokenCount: 100,
    cachedContentTokenCount: 60,
    candidatesTokenCount: 9,
    thoughtsTokenCount: 4,
  };
  const usage: Usage = { inputTokens: 40, outputTokens: 13, cacheCreationTokens: 0, cacheReadTokens: 60 };
  it.each([
    ["a generateContent response", { candidates: [], usageMetadata: metadata }, usage],
    [
      "the JSON array of streamGenerateContent without alt=sse: the last usage wins",
      [{ usageMetadata: { promptTokenCount: 100 } }, { candidates: [] }, { usageMetadata: metadata }],
      usage,
    ],
    ["no usageMetadata", { candidates: [] }, undefined],
    ["an array without usage", [{ candidates: [] }, 3], undefined],
    ["not JSON at all", undefined, undefined],
  ])("%s", (_name, body, expected) => {
    expect(geminiUsageFromBody(body)).toEqual(expected);
  });
});
