export interface ParsedBody {
  /** Parsed JSON or form fields; the raw text when it is neither; null when empty. */
  value: unknown;
  /** True when the body was meant to be JSON and is not. */
  invalid: boolean;
}

export function parseBody(text: string, contentType: string | undefined): ParsedBody {
  if (text === "") return { value: null, invalid: false };
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return { value: Object.fromEntries(new URLSearchParams(text)), invalid: false };
  }
  try {
    return { value: JSON.parse(text), invalid: false };
  } catch {
    return { value: text, invalid: true };
  }
}

/** Query parameters of a request target; the last value wins for a repeated name. */
export function splitTarget(target: string): { path: string; query: Record<string, string> } {
  const mark = target.indexOf("?");
  if (mark < 0) return { path: target, query: {} };
  return { path: target.slice(0, mark), query: Object.fromEntries(new URLSearchParams(target.slice(mark + 1))) };
}
