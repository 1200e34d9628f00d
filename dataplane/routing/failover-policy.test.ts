import { describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  DEFAULT_FAILOVER_CONFIG,
  decideFailover,
  type FailoverAttempt,
  type FailoverConfig,
  type FailoverDecision,
  finalStatus,
  type UpstreamFailure,
} from "./failover-policy.js";

const NOW = 1_800_000_000_000;
const MIN = 60_000;

const http = (status: number, body: unknown = undefined, headers: Record<string, string> = {}): UpstreamFailure => ({
  kind: "http",
  status,
  headers,
  body,
});
const INVALID_PROJECT = http(400, {
  error: { code: 400, message: "Invalid project resource name projects/", status: "INVALID_ARGUMENT" },
});
const EMPTY: UpstreamFailure = { kind: "empty_stream" };

const first: FailoverAttempt = { switches: 0, sameAccountRetries: 0, platform: Platform.ANTHROPIC };
const at = (switches: number, sameAccountRetries = 0, platform = Platform.ANTHROPIC): FailoverAttempt => ({
  switches,
  sameAccountRetries,
  platform,
});

const table: Array<[string, UpstreamFailure, FailoverAttempt, FailoverDecision]> = [
  // the account is at fault: switch
  [
    "401 puts the account in error",
    http(401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }),
    first,
    { action: "switch", mark: { kind: "error", reason: "upstream 401: invalid x-api-key" } },
  ],
  ["403 without a message", http(403), first, { action: "switch", mark: { kind: "error", reason: "upstream 403" } }],
  [
    "403 with a text body",
    http(403, "Forbidden"),
    first,
    { action: "switch", mark: { kind: "error", reason: "upstream 403: Forbidden" } },
  ],
  [
    "429 without a reset: 5 minutes",
    http(429),
    first,
    { action: "switch", mark: { kind: "rate_limited", until: NOW + 5 * MIN } },
  ],
  [
    "429 with retry-after: honoured",
    http(429, undefined, { "retry-after": "90" }),
    first,
    { action: "switch", mark: { kind: "rate_limited", until: NOW + 90_000 } },
  ],
  [
    "429 with a reset 5 hours away: capped at 30 minutes",
    http(429, undefined, { "anthropic-ratelimit-unified-reset": String(NOW / 1000 + 5 * 3600) }),
    first,
    { action: "switch", mark: { kind: "rate_limited", until: NOW + 30 * MIN } },
  ],
  [
    "429 with a Gemini retryDelay",
    http(429, { error: { code: 429, details: [{ retryDelay: "12.5s" }] } }),
    first,
    { action: "switch", mark: { kind: "rate_limited", until: NOW + 12_500 } },
  ],
  [
    "529 overloaded for 10 minutes",
    http(529),
    first,
    { action: "switch", mark: { kind: "overloaded", until: NOW + 10 * MIN } },
  ],
  ["500", http(500), first, { action: "switch", mark: { kind: "none" } }],
  ["502", http(502), first, { action: "switch", mark: { kind: "none" } }],
  ["503", http(503), first, { action: "switch", mark: { kind: "none" } }],
  [
    "network failure",
    { kind: "network", message: "ECONNREFUSED" },
    first,
    { action: "switch", mark: { kind: "none" } },
  ],
  // the client's own fault: pass it through, the account is fine
  [
    "400",
    http(400, { error: { message: "max_tokens: too large" } }),
    first,
    { action: "give_up", mark: { kind: "none" }, reason: "client_error" },
  ],
  ["404", http(404), first, { action: "give_up", mark: { kind: "none" }, reason: "client_error" }],
  ["413", http(413), first, { action: "give_up", mark: { kind: "none" }, reason: "client_error" }],
  ["422", http(422), first, { action: "give_up", mark: { kind: "none" }, reason: "client_error" }],
  [
    "a 4xx is not retried even late",
    http(404),
    at(9),
    { action: "give_up", mark: { kind: "none" }, reason: "client_error" },
  ],
  // transient: same account twice, 500 ms apart, then park it for a minute and switch
  ["invalid project, first time", INVALID_PROJECT, first, { action: "retry_same", delayMs: 500 }],
  ["invalid project, second retry", INVALID_PROJECT, at(0, 1), { action: "retry_same", delayMs: 500 }],
  [
    "invalid project, retries spent",
    INVALID_PROJECT,
    at(0, 2),
    {
      action: "switch",
      mark: { kind: "temp_unschedulable", until: NOW + MIN, reason: "invalid project resource name" },
    },
  ],
  [
    "invalid project inside a Gemini array body",
    http(400, [{ error: { message: "Invalid project resource name" } }]),
    first,
    { action: "retry_same", delayMs: 500 },
  ],
  ["empty stream, first time", EMPTY, first, { action: "retry_same", delayMs: 500 }],
  [
    "empty stream, retries spent",
    EMPTY,
    at(3, 2),
    { action: "switch", mark: { kind: "temp_unschedulable", until: NOW + MIN, reason: "empty stream" } },
  ],
  // switch budget: 10, or 3 for Gemini
  ["9th switch allowed", http(500), at(9), { action: "switch", mark: { kind: "none" } }],
  ["after 10 switches: give up", http(500), at(10), { action: "give_up", mark: { kind: "none" }, reason: "exhausted" }],
  [
    "a give-up still marks the account",
    http(529),
    at(10),
    { action: "give_up", mark: { kind: "overloaded", until: NOW + 10 * MIN }, reason: "exhausted" },
  ],
  ["Gemini: 3rd switch allowed", http(500), at(2, 0, Platform.GEMINI), { action: "switch", mark: { kind: "none" } }],
  [
    "Gemini: after 3 switches",
    http(500),
    at(3, 0, Platform.GEMINI),
    { action: "give_up", mark: { kind: "none" }, reason: "exhausted" },
  ],
  ["OpenAI has the default budget", http(500), at(3, 0, Platform.OPENAI), { action: "switch", mark: { kind: "none" } }],
  [
    "Gemini transient retries spent on the last account",
    INVALID_PROJECT,
    at(3, 2, Platform.GEMINI),
    {
      action: "give_up",
      mark: { kind: "temp_unschedulable", until: NOW + MIN, reason: "invalid project resource name" },
      reason: "exhausted",
    },
  ],
];

describe("decideFailover", () => {
  it.each(table)("%s", (_name, failure, attempt, expected) => {
    expect(decideFailover(failure, attempt, DEFAULT_FAILOVER_CONFIG, NOW)).toEqual(expected);
  });

  it("takes every duration and count from the config", () => {
    const fast: FailoverConfig = {
      maxSwitches: 1,
      maxSwitchesGemini: 0,
      sameAccountRetries: 0,
      sameAccountRetryDelayMs: 5,
      tempUnschedulableMs: 10,
      rateLimitDefaultMs: 20,
      rateLimitMaxMs: 30,
      overloadedMs: 40,
    };
    expect(decideFailover(EMPTY, first, fast, NOW)).toEqual({
      action: "switch",
      mark: { kind: "temp_unschedulable", until: NOW + 10, reason: "empty stream" },
    });
    expect(decideFailover(http(429), first, fast, NOW)).toEqual({
      action: "switch",
      mark: { kind: "rate_limited", until: NOW + 20 },
    });
    expect(decideFailover(http(429, undefined, { "retry-after": "60" }), first, fast, NOW)).toEqual({
      action: "switch",
      mark: { kind: "rate_limited", until: NOW + 30 },
    });
    expect(decideFailover(http(529), at(1), fast, NOW)).toEqual({
      action: "give_up",
      mark: { kind: "overloaded", until: NOW + 40 },
      reason: "exhausted",
    });
    expect(decideFailover(http(500), at(0, 0, Platform.GEMINI), fast, NOW).action).toBe("give_up");
    expect(
      decideFailover(INVALID_PROJECT, { ...first, sameAccountRetries: 0 }, { ...fast, sameAccountRetries: 1 }, NOW),
    ).toEqual({
      action: "retry_same",
      delayMs: 5,
    });
  });
});

describe("finalStatus", () => {
  const rows: Array<[string, UpstreamFailure | undefined, number, string]> = [
    ["no account at all", undefined, 503, "NO_AVAILABLE_ACCOUNT"],
    ["429 stays 429", http(429), 429, "UPSTREAM_RATE_LIMITED"],
    ["529 becomes 503", http(529), 503, "UPSTREAM_OVERLOADED"],
    ["500 becomes 502", http(500), 502, "UPSTREAM_ERROR"],
    ["503 becomes 502", http(503), 502, "UPSTREAM_ERROR"],
    ["401 becomes 502", http(401), 502, "UPSTREAM_ERROR"],
    ["empty stream becomes 502", EMPTY, 502, "UPSTREAM_ERROR"],
    ["network failure becomes 502", { kind: "network", message: "timeout" }, 502, "UPSTREAM_ERROR"],
  ];
  it.each(rows)("%s", (_name, failure, status, code) => {
    expect(finalStatus(failure)).toEqual({ status, code });
  });
});
