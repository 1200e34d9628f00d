import type { IncomingHttpHeaders } from "node:http";

// Headers cross the gateway by allow-list in both directions: the client's own key, cookies,
// forwarding headers and hop-by-hop headers never reach the upstream, and upstream hop-by-hop or
// account-revealing headers never reach the client.

/** Copies the allowed request headers (exact names, or prefixes ending in "-"). */
export function pickHeaders(
  source: IncomingHttpHeaders,
  exact: ReadonlySet<string>,
  prefixes: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in source) {
    const value = source[name];
    if (value === undefined) continue;
    if (exact.has(name) || hasPrefix(name, prefixes)) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

// A loop rather than prefixes.some(): no closure per header of every request.
function hasPrefix(name: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
  return false;
}

const RESPONSE_HEADERS = new Set([
  "content-type",
  "content-length",
  "cache-control",
  "retry-after",
  "request-id",
  "x-request-id",
  "openai-processing-ms",
  "openai-version",
]);

/** Upstream response headers the client may see. */
export function responseHeaders(source: IncomingHttpHeaders, keepLength: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in source) {
    if (!RESPONSE_HEADERS.has(name) || (name === "content-length" && !keepLength)) continue;
    const value = source[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
