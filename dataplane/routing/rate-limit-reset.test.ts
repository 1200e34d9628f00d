import { describe, expect, it } from "vitest";
import { parseRateLimitReset } from "./rate-limit-reset.js";

const NOW = Date.parse("2026-11-27T12:00:00.000Z");
const NOW_S = NOW / 1000;

type Row = [string, Record<string, string>, unknown, number | undefined];

const geminiError = (details: unknown[], message = "Resource has been exhausted") => ({
  error: { code: 429, message, status: "RESOURCE_EXHAUSTED", details },
});

const table: Row[] = [
  ["nothing", {}, undefined, undefined],
  // Anthropic
  [
    "unified reset, unix seconds",
    { "anthropic-ratelimit-unified-reset": String(NOW_S + 3600) },
    undefined,
    NOW + 3_600_000,
  ],
  [
    "unified reset in the past is skipped",
    { "anthropic-ratelimit-unified-reset": String(NOW_S - 10), "retry-after": "7" },
    undefined,
    NOW + 7000,
  ],
  ["unified reset garbage is skipped", { "anthropic-ratelimit-unified-reset": "soon" }, undefined, undefined],
  [
    "unified beats retry-after",
    { "anthropic-ratelimit-unified-reset": String(NOW_S + 60), "retry-after": "5" },
    undefined,
    NOW + 60_000,
  ],
  [
    "per-limit reset, RFC 3339",
    { "anthropic-ratelimit-tokens-reset": "2026-11-27T12:00:30Z" },
    undefined,
    NOW + 30_000,
  ],
  [
    "per-limit: the exhausted limit wins",
    {
      "anthropic-ratelimit-requests-reset": "2026-11-27T12:05:00Z",
      "anthropic-ratelimit-requests-remaining": "40",
      "anthropic-ratelimit-input-tokens-reset": "2026-11-27T12:00:20Z",
      "anthropic-ratelimit-input-tokens-remaining": "0",
    },
    undefined,
    NOW + 20_000,
  ],
  [
    "per-limit: none exhausted, the latest",
    {
      "anthropic-ratelimit-requests-reset": "2026-11-27T12:00:10Z",
      "anthropic-ratelimit-tokens-reset": "2026-11-27T12:00:40Z",
    },
    undefined,
    NOW + 40_000,
  ],
  [
    "per-limit with fractional seconds",
    { "anthropic-ratelimit-requests-reset": "2026-11-27T12:00:01.5Z" },
    undefined,
    NOW + 1500,
  ],
  ["per-limit garbage", { "anthropic-ratelimit-requests-reset": "not a date" }, undefined, undefined],
  [
    "per-limit unix seconds (5h window)",
    { "anthropic-ratelimit-unified-5h-reset": String(NOW_S + 90) },
    undefined,
    NOW + 90_000,
  ],
  [
    "retry-after beats per-limit",
    { "retry-after": "3", "anthropic-ratelimit-tokens-reset": "2026-11-27T12:00:40Z" },
    undefined,
    NOW + 3000,
  ],
  // HTTP
  ["retry-after seconds", { "retry-after": "120" }, undefined, NOW + 120_000],
  ["retry-after zero", { "retry-after": "0" }, undefined, NOW],
  ["retry-after decimal seconds", { "retry-after": "1.5" }, undefined, NOW + 1500],
  ["retry-after HTTP date", { "retry-after": "Fri, 27 Nov 2026 12:02:00 GMT" }, undefined, NOW + 120_000],
  ["retry-after date in the past", { "retry-after": "Fri, 27 Nov 2026 11:00:00 GMT" }, undefined, undefined],
  ["retry-after negative", { "retry-after": "-5" }, undefined, undefined],
  ["retry-after garbage", { "retry-after": "later" }, undefined, undefined],
  ["retry-after-ms", { "retry-after-ms": "250", "retry-after": "1" }, undefined, NOW + 250],
  ["headers beat the body", { "retry-after": "2" }, { error: { resets_in_seconds: 100 } }, NOW + 2000],
  // OpenAI / Codex usage limits
  ["resets_at", {}, { error: { type: "usage_limit_reached", resets_at: NOW_S + 600 } }, NOW + 600_000],
  ["resets_at as a string", {}, { error: { resets_at: String(NOW_S + 600) } }, NOW + 600_000],
  ["resets_in_seconds", {}, { error: { type: "usage_limit_reached", resets_in_seconds: 42 } }, NOW + 42_000],
  ["resets_at beats resets_in_seconds", {}, { error: { resets_at: NOW_S + 10, resets_in_seconds: 42 } }, NOW + 10_000],
  [
    "resets_at in the past falls to resets_in_seconds",
    {},
    { error: { resets_at: 1, resets_in_seconds: 42 } },
    NOW + 42_000,
  ],
  ["resets_in_seconds garbage", {}, { error: { resets_in_seconds: "soon" } }, undefined],
  ["resets_in_seconds negative", {}, { error: { resets_in_seconds: -3 } }, undefined],
  // Gemini
  [
    "retryDelay",
    {},
    geminiError([
      { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12.5s" },
    ]),
    NOW + 12_500,
  ],
  ["retryDelay whole seconds", {}, geminiError([{ retryDelay: "37s" }]), NOW + 37_000],
  [
    "quotaResetDelay",
    {},
    geminiError([{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", metadata: { quotaResetDelay: "1h2m3.5s" } }]),
    NOW + 3_723_500,
  ],
  ["quotaResetDelay in ms", {}, geminiError([{ metadata: { quotaResetDelay: "350ms" } }]), NOW + 350],
  ["message: retry in 12.5s", {}, geminiError([], "Quota exceeded. Please retry in 12.5s."), NOW + 12_500],
  ["message: retry in 350ms", {}, geminiError([], "Please retry in 350ms"), NOW + 350],
  ["message: retry in 1m30s", {}, geminiError([], "please retry in 1m30s"), NOW + 90_000],
  ["retryDelay beats the message", {}, geminiError([{ retryDelay: "2s" }], "Please retry in 9s."), NOW + 2000],
  [
    "garbage retryDelay falls to the message",
    {},
    geminiError([{ retryDelay: "soon" }], "Please retry in 9s."),
    NOW + 9000,
  ],
  ["array-wrapped stream error", {}, [geminiError([{ retryDelay: "4s" }])], NOW + 4000],
  ["message without a duration", {}, geminiError([], "Please retry later."), undefined],
  ["duration with trailing junk", {}, geminiError([{ retryDelay: "5sx" }]), undefined],
  // not error bodies
  ["string body", {}, "Too Many Requests", undefined],
  ["error as a string", {}, { error: "rate limited" }, undefined],
  ["null body", {}, null, undefined],
];

describe("parseRateLimitReset", () => {
  it.each(table)("%s", (_name, headers, body, expected) => {
    expect(parseRateLimitReset(headers, body, NOW)).toBe(expected);
  });
});
