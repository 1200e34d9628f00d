import { describe, expect, it } from "vitest";
import { errorEnvelope } from "./protocols/errors.js";
import { applyRateLimitHints, goDuration } from "./rate-limit.js";

describe("goDuration", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [12.5, "12.5s"],
    [60, "1m0s"],
    [3723.5, "1h2m3.5s"],
    [7200, "2h0m0s"],
  ];
  it.each(cases)("%d -> %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });
});

describe("applyRateLimitHints", () => {
  const now = 1_800_000_000_000;

  it("puts header hints in headers", () => {
    const envelope = errorEnvelope("anthropic", 429, "slow down");
    const headers = applyRateLimitHints(envelope, ["anthropic-unified-reset", "retry-after"], 12.5, now);
    expect(headers).toEqual({
      "anthropic-ratelimit-unified-status": "rejected",
      "anthropic-ratelimit-unified-reset": String(1_800_000_013),
      "retry-after": "13",
    });
  });

  it("puts OpenAI hints in the error object", () => {
    const envelope = errorEnvelope("openai", 429, "slow down");
    expect(applyRateLimitHints(envelope, ["openai-resets-at", "openai-resets-in"], 90, now)).toEqual({});
    expect(envelope.body).toMatchObject({ error: { resets_at: 1_800_000_090, resets_in_seconds: 90 } });
  });

  it("puts Gemini hints in details and the message", () => {
    const envelope = errorEnvelope("gemini", 429, "Quota exceeded.");
    applyRateLimitHints(envelope, ["gemini-retry-delay", "gemini-quota-reset-delay", "gemini-message"], 12.5, now);
    expect(envelope.body).toEqual({
      error: {
        code: 429,
        status: "RESOURCE_EXHAUSTED",
        message: "Quota exceeded. Please retry in 12.5s.",
        details: [
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12.5s" },
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "RATE_LIMIT_EXCEEDED",
            domain: "cloudcode-pa.googleapis.com",
            metadata: { quotaResetDelay: "12.5s", quotaResetTimeStamp: new Date(now + 12_500).toISOString() },
          },
        ],
      },
    });
  });
});
