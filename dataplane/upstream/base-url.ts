// An account's effective base URL, parsed once per config object (not per request).
export interface ParsedBaseUrl {
  origin: string;
  /** Path prefix without a trailing slash ("" or "/antigravity"). */
  pathPrefix: string;
}

const cache = new Map<string, ParsedBaseUrl>();

export function parseBaseUrl(baseUrl: string): ParsedBaseUrl {
  let parsed = cache.get(baseUrl);
  if (!parsed) {
    const url = new URL(baseUrl);
    parsed = { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, "") };
    if (cache.size > 10_000) cache.clear();
    cache.set(baseUrl, parsed);
  }
  return parsed;
}
