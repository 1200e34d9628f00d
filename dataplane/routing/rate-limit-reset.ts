import { isRecord } from "../policy/request-view.js";

// When a rate-limited upstream account may serve again (DESIGN §5.9), read from whatever the
// provider says, first usable answer wins:
//   Anthropic  anthropic-ratelimit-unified-reset (unix seconds), then after retry-after the
//              per-limit anthropic-ratelimit-*-reset (RFC 3339; the exhausted limit's, else the latest)
//   HTTP       retry-after-ms (OpenAI), retry-after (seconds or HTTP date)
//   OpenAI     body error.resets_at (unix seconds), error.resets_in_seconds
//   Gemini     body error.details[].retryDelay ("12.5s"), .metadata.quotaResetDelay ("1h2m3.5s"),
//              then the message's "Please retry in 12.5s" / "in 350ms"
// Garbage and times already past are skipped, so a later source can still answer.

type Headers = Readonly<Record<string, string | undefined>>;

const NUMBER = /^\d+(?:\.\d+)?$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;
const RETRY_IN = /retry in ((?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+)/i;
const LIMIT_RESET = /^anthropic-ratelimit-(.+)-reset$/;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go/protobuf duration ("12.5s", "350ms", "1h2m3.5s") in ms. */
function durationMs(text: string): number | undefined {
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  for (let m = DURATION_PART.exec(text); m; m = DURATION_PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = DURATION_PART.lastIndex;
  }
  return matched > 0 && matched === text.length ? total : undefined;
}

/** Unix seconds, or an RFC 3339 / HTTP date, as epoch ms. */
function instantMs(text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  if (NUMBER.test(trimmed)) return Number(trimmed) * 1000;
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A usable reset: a finite time not before now, in whole ms. */
function future(at: number | undefined, now: number): number | undefined {
  return at !== undefined && Number.isFinite(at) && at >= now ? Math.ceil(at) : undefined;
}

function after(now: number, ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : future(now + ms, now);
}

function retryAfter(headers: Headers, now: number): number | undefined {
  const ms = headers["retry-after-ms"]?.trim();
  if (ms && NUMBER.test(ms)) return after(now, Number(ms));
  const value = headers["retry-after"]?.trim();
  if (!value) return undefined;
  return NUMBER.test(value) ? after(now, Number(value) * 1000) : future(instantMs(value), now);
}

/** The per-limit resets: the limit that ran out (remaining 0) if named, else the latest of them. */
function perLimitReset(headers: Headers, now: number): number | undefined {
  let exhausted: number | undefined;
  let latest: number | undefined;
  for (const name in headers) {
    const limit = LIMIT_RESET.exec(name)?.[1];
    if (!limit || limit === "unified") continue;
    const at = future(instantMs(headers[name]), now);
    if (at === undefined) continue;
    latest = Math.max(latest ?? at, at);
    if (headers[`anthropic-ratelimit-${limit}-remaining`]?.trim() === "0") exhausted = Math.max(exhausted ?? at, at);
  }
  return exhausted ?? latest;
}

function errorObject(body: unknown): Record<string, unknown> | undefined {
  // Gemini streams errors as a one-element array.
  const top = Array.isArray(body) ? body[0] : body;
  return isRecord(top) && isRecord(top.error) ? top.error : undefined;
}

function seconds(value: unknown): number | undefined {
  if (typeof value === "number") return value * 1000;
  return typeof value === "string" && NUMBER.test(value.trim()) ? Number(value) * 1000 : undefined;
}

function geminiDetailsReset(details: unknown, now: number): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    const retryDelay = typeof detail.retryDelay === "string" ? after(now, durationMs(detail.retryDelay)) : undefined;
    if (retryDelay !== undefined) return retryDelay;
    const quota = isRecord(detail.metadata) ? detail.metadata.quotaResetDelay : undefined;
    const quotaDelay = typeof quota === "string" ? after(now, durationMs(quota)) : undefined;
    if (quotaDelay !== undefined) return quotaDelay;
  }
  return undefined;
}

function messageReset(message: unknown, now: number): number | undefined {
  const match = typeof message === "string" ? RETRY_IN.exec(message) : null;
  return match ? after(now, durationMs(match[1] as string)) : undefined;
}

function bodyReset(body: unknown, now: number): number | undefined {
  const error = errorObject(body);
  if (!error) return undefined;
  return (
    future(seconds(error.resets_at), now) ??
    after(now, seconds(error.resets_in_seconds)) ??
    geminiDetailsReset(error.details, now) ??
    messageReset(error.message, now)
  );
}

/** The epoch ms at which the upstream says the limit resets, or undefined when it says nothing usable. */
export function parseRateLimitReset(headers: Headers, body: unknown, now: number): number | undefined {
  return (
    future(instantMs(headers["anthropic-ratelimit-unified-reset"]), now) ??
    retryAfter(headers, now) ??
    perLimitReset(headers, now) ??
    bodyReset(body, now)
  );
}
