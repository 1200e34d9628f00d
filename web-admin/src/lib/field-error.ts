import { Code, ConnectError } from "@connectrpc/connect";

// Admin API errors name the field first (`ip_whitelist[1]: "x" is not ...`, DESIGN §3), so a form can show
// the message beside the input that caused it instead of at the top of the page.

export interface ApiProblem {
  /** Connect code name, e.g. "invalid_argument", "unauthenticated", "unavailable". */
  code: string;
  /** The proto field path the server named, e.g. "ip_whitelist[1]", "credentials.api_key". */
  field?: string;
  /** The message without the field prefix. */
  text: string;
}

const FIELD_PREFIX = /^([a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*(?:\[\d+\])?)*): ([\s\S]*)$/;

/** Connect's own spelling of a code ("invalid_argument"), as the wire and the docs use it. */
export function codeName(code: Code): string {
  return (Code[code] ?? "unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

export function apiProblem(error: unknown): ApiProblem {
  if (!(error instanceof ConnectError)) {
    return { code: "unknown", text: error instanceof Error ? error.message : String(error) };
  }
  const code = codeName(error.code);
  const match = error.code === Code.InvalidArgument ? FIELD_PREFIX.exec(error.rawMessage) : null;
  if (match) return { code, field: match[1], text: match[2] as string };
  return { code, text: error.rawMessage };
}

/**
 * Whether a problem belongs to the input for `field`: the field itself, one of its entries
 * (`ip_whitelist[2]` for `ip_whitelist`) or a part of it (`credentials.api_key` for `credentials`).
 */
export function isProblemOf(problem: ApiProblem | undefined, field: string): boolean {
  const named = problem?.field;
  if (!named) return false;
  return named === field || named.startsWith(`${field}[`) || named.startsWith(`${field}.`);
}

/** The index an entry-level problem names (`ip_whitelist[2]` -> 2). */
export function entryIndexOf(problem: ApiProblem | undefined): number | undefined {
  const match = problem?.field ? /\[(\d+)\](?:\.|$)/.exec(problem.field) : null;
  return match ? Number(match[1]) : undefined;
}
