// The one shape every pure decision reads a request through: no node:http objects, so each
// decision is a table test over plain data (captures included).

export interface RequestView {
  /** URL path without query, e.g. "/v1/messages". */
  path: string;
  /** Read, never changed: views without a query share one empty instance. */
  query: Pick<URLSearchParams, "get">;
  /** Lower-case names, single values (repeats joined with ", "). */
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body (undefined for GET). */
  body: unknown;
}

const NO_QUERY: RequestView["query"] = new URLSearchParams();

/** The path of a request URL, without its query. */
export function pathOf(url: string | undefined): string {
  if (!url) return "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The query string ("?..." or "") as a view reads it, parsed only when there is one: every request
 * builds a view, and only Gemini's `?key=` is ever read.
 */
export function queryOf(search: string): RequestView["query"] {
  return search === "" ? NO_QUERY : new URLSearchParams(search);
}

/** The API family a request came in on; `/antigravity/...` mirrors force the Antigravity platform. */
export type Surface = "anthropic" | "openai" | "gemini" | "antigravity";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
