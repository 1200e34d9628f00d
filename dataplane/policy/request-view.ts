// The one shape every pure decision reads a request through: no node:http objects, so each
// decision is a table test over plain data (captures included).

export interface RequestView {
  /** URL path without query, e.g. "/v1/messages". */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, single values (repeats joined with ", "). */
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body (undefined for GET). */
  body: unknown;
}

/** The API family a request came in on; `/antigravity/...` mirrors force the Antigravity platform. */
export type Surface = "anthropic" | "openai" | "gemini" | "antigravity";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
