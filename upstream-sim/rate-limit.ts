import type { ErrorEnvelope } from "./protocols/surface.js";
import type { Protocol, RateLimitHint } from "./types.js";

/** The forms each provider uses by default when a step names none. */
export const DEFAULT_HINTS: Record<Protocol, RateLimitHint[]> = {
  anthropic: ["anthropic-unified-reset", "retry-after"],
  openai: ["openai-resets-at", "openai-resets-in"],
  gemini: ["gemini-retry-delay", "gemini-message"],
  oauth: ["retry-after"],
  sim: ["retry-after"],
  none: ["retry-after"],
};

/** Go's time.Duration format ("1h2m3.5s"), which Google's quotaResetDelay metadata uses. */
export function goDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = Number((seconds % 60).toFixed(3));
  return `${hours > 0 ? `${hours}h` : ""}${hours > 0 || minutes > 0 ? `${minutes}m` : ""}${rest}s`;
}

/**
 * Writes the reset hints into the error envelope (mutating it) and returns the headers that carry
 * the others. Every hint works on every envelope, so a test can send any provider's form anywhere.
 */
export function applyRateLimitHints(
  envelope: ErrorEnvelope,
  hints: RateLimitHint[],
  resetSeconds: number,
  nowMs: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const resetAt = Math.ceil(nowMs / 1000 + resetSeconds);
  const details = (): unknown[] => {
    if (!Array.isArray(envelope.error.details)) envelope.error.details = [];
    return envelope.error.details as unknown[];
  };
  for (const hint of hints) {
    switch (hint) {
      case "anthropic-unified-reset":
        headers["anthropic-ratelimit-unified-status"] = "rejected";
        headers["anthropic-ratelimit-unified-reset"] = String(resetAt);
        break;
      case "retry-after":
        headers["retry-after"] = String(Math.ceil(resetSeconds));
        break;
      case "openai-resets-at":
        envelope.error.resets_at = resetAt;
        break;
      case "openai-resets-in":
        envelope.error.resets_in_seconds = Math.ceil(resetSeconds);
        break;
      case "gemini-retry-delay":
        details().push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${resetSeconds}s` });
        break;
      case "gemini-quota-reset-delay":
        details().push({
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "RATE_LIMIT_EXCEEDED",
          domain: "cloudcode-pa.googleapis.com",
          metadata: {
            quotaResetDelay: goDuration(resetSeconds),
            quotaResetTimeStamp: new Date(nowMs + resetSeconds * 1000).toISOString(),
          },
        });
        break;
      case "gemini-message":
        envelope.error.message = `${String(envelope.error.message ?? "")} Please retry in ${resetSeconds}s.`.trim();
        break;
    }
  }
  return headers;
}
