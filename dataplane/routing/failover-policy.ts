import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { ErrorCode } from "../errors.js";
import { isRecord } from "../policy/request-view.js";
import { parseRateLimitReset } from "./rate-limit-reset.js";

// What to do after an upstream attempt failed before the first byte reached the client (DESIGN §5.9).
// 401/403/429/529/5xx: the account is at fault, try another (marking it as the status says).
// Google's 400 "invalid project resource name" and an empty stream are transient: retry the same
// account a couple of times first (the anchors found that the next call usually works), then park it
// for a minute and switch. Any other 4xx is the client's own fault: pass it through.

export interface FailoverConfig {
  /** Accounts switched to after the first, at most. */
  readonly maxSwitches: number;
  readonly maxSwitchesGemini: number;
  /** Retries on the same account for transient failures. */
  readonly sameAccountRetries: number;
  readonly sameAccountRetryDelayMs: number;
  /** How long an account whose transient retries ran out is skipped. */
  readonly tempUnschedulableMs: number;
  /** 429 without a usable reset. */
  readonly rateLimitDefaultMs: number;
  /** An upstream-named reset is honoured up to this far ahead. */
  readonly rateLimitMaxMs: number;
  readonly overloadedMs: number;
}

export const DEFAULT_FAILOVER_CONFIG: FailoverConfig = Object.freeze({
  maxSwitches: 10,
  maxSwitchesGemini: 3,
  sameAccountRetries: 2,
  sameAccountRetryDelayMs: 500,
  tempUnschedulableMs: 60_000,
  rateLimitDefaultMs: 5 * 60_000,
  rateLimitMaxMs: 30 * 60_000,
  overloadedMs: 10 * 60_000,
});

export type UpstreamFailure =
  /** An error status; body is the parsed JSON error (or its text when not JSON). */
  | {
      readonly kind: "http";
      readonly status: number;
      readonly headers: Readonly<Record<string, string | undefined>>;
      readonly body: unknown;
    }
  /** The upstream answered 200 but the stream ended before any event. */
  | { readonly kind: "empty_stream" }
  /** Connect, TLS or timeout failure before any response. */
  | { readonly kind: "network"; readonly message: string };

export interface FailoverAttempt {
  /** Accounts already switched away from in this request. */
  readonly switches: number;
  /** Retries already made on the current account. */
  readonly sameAccountRetries: number;
  readonly platform: Platform;
}

/** What happens to the account that failed. Times are epoch ms. */
export type AccountMark =
  | { readonly kind: "none" }
  | { readonly kind: "rate_limited"; readonly until: number }
  | { readonly kind: "overloaded"; readonly until: number }
  | { readonly kind: "error"; readonly reason: string }
  | { readonly kind: "temp_unschedulable"; readonly until: number; readonly reason: string };

export type FailoverDecision =
  | { readonly action: "retry_same"; readonly delayMs: number }
  | { readonly action: "switch"; readonly mark: AccountMark }
  /** client_error: pass the upstream's answer through; exhausted: answer with finalStatus(failure). */
  | { readonly action: "give_up"; readonly mark: AccountMark; readonly reason: "client_error" | "exhausted" };

const NO_MARK: AccountMark = Object.freeze({ kind: "none" });
const INVALID_PROJECT = /invalid project resource name/i;
const MAX_REASON = 200;

function errorMessage(body: unknown): string {
  if (typeof body === "string") return body;
  const top = Array.isArray(body) ? body[0] : body;
  const error = isRecord(top) ? top.error : undefined;
  if (isRecord(error) && typeof error.message === "string") return error.message;
  return typeof error === "string" ? error : "";
}

/** The transient failure's name, or undefined when the failure is not transient. */
function transientReason(failure: UpstreamFailure): string | undefined {
  if (failure.kind === "empty_stream") return "empty stream";
  if (failure.kind === "http" && failure.status === 400 && INVALID_PROJECT.test(errorMessage(failure.body))) {
    return "invalid project resource name";
  }
  return undefined;
}

function switchOrGiveUp(attempt: FailoverAttempt, config: FailoverConfig, mark: AccountMark): FailoverDecision {
  const limit = attempt.platform === Platform.GEMINI ? config.maxSwitchesGemini : config.maxSwitches;
  return attempt.switches < limit ? { action: "switch", mark } : { action: "give_up", mark, reason: "exhausted" };
}

function httpMark(
  failure: Extract<UpstreamFailure, { kind: "http" }>,
  config: FailoverConfig,
  now: number,
): AccountMark {
  const { status } = failure;
  if (status === 429) {
    const reset = parseRateLimitReset(failure.headers, failure.body, now) ?? now + config.rateLimitDefaultMs;
    return { kind: "rate_limited", until: Math.min(reset, now + config.rateLimitMaxMs) };
  }
  if (status === 529) return { kind: "overloaded", until: now + config.overloadedMs };
  if (status === 401 || status === 403) {
    const message = errorMessage(failure.body).slice(0, MAX_REASON);
    return { kind: "error", reason: message ? `upstream ${status}: ${message}` : `upstream ${status}` };
  }
  return NO_MARK;
}

function accountAtFault(status: number): boolean {
  return status === 401 || status === 403 || status === 429 || status >= 500;
}

export function decideFailover(
  failure: UpstreamFailure,
  attempt: FailoverAttempt,
  config: FailoverConfig,
  now: number,
): FailoverDecision {
  const transient = transientReason(failure);
  if (transient !== undefined) {
    if (attempt.sameAccountRetries < config.sameAccountRetries) {
      return { action: "retry_same", delayMs: config.sameAccountRetryDelayMs };
    }
    return switchOrGiveUp(attempt, config, {
      kind: "temp_unschedulable",
      until: now + config.tempUnschedulableMs,
      reason: transient,
    });
  }
  if (failure.kind !== "http") return switchOrGiveUp(attempt, config, NO_MARK);
  if (!accountAtFault(failure.status)) return { action: "give_up", mark: NO_MARK, reason: "client_error" };
  return switchOrGiveUp(attempt, config, httpMark(failure, config, now));
}

export interface FinalStatus {
  readonly status: number;
  readonly code: ErrorCode;
}

/** What the client sees once every candidate failed (undefined: the group had no account to try). */
export function finalStatus(lastFailure: UpstreamFailure | undefined): FinalStatus {
  if (!lastFailure) return { status: 503, code: "NO_AVAILABLE_ACCOUNT" };
  if (lastFailure.kind === "http" && lastFailure.status === 429) return { status: 429, code: "UPSTREAM_RATE_LIMITED" };
  if (lastFailure.kind === "http" && lastFailure.status === 529) return { status: 503, code: "UPSTREAM_OVERLOADED" };
  return { status: 502, code: "UPSTREAM_ERROR" };
}
