import type { RequestView, Surface } from "./request-view.js";

// DESIGN §5.2: the key comes from `Authorization: Bearer`, `x-api-key` or `x-goog-api-key`, and from
// `?key=` on Gemini-shaped paths only (a key in a URL ends up in access logs; only Google's protocol
// defines it, so nowhere else do we read it).
//
// Precedence when several are present: the surface's own header first (x-api-key on Anthropic,
// Bearer on OpenAI, x-goog-api-key on Gemini), because that is where the surface's official client
// puts the key; a second auth header next to it is more likely meant for something else (a proxy in
// between, or Claude Code run with both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN set). Then the
// other headers in a fixed order, and `?key=` last: a header is a deliberate choice, a query string
// may be a leftover in a copied URL.

export type ApiKeySource = "authorization" | "x-api-key" | "x-goog-api-key" | "query";

export interface ExtractedApiKey {
  key: string;
  source: ApiKeySource;
}

type HeaderSource = Exclude<ApiKeySource, "query">;

const ANTHROPIC_ORDER: readonly HeaderSource[] = ["x-api-key", "authorization", "x-goog-api-key"];
const OPENAI_ORDER: readonly HeaderSource[] = ["authorization", "x-api-key", "x-goog-api-key"];
const GEMINI_ORDER: readonly HeaderSource[] = ["x-goog-api-key", "authorization", "x-api-key"];

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** Antigravity mirrors both families; its Gemini-shaped paths behave like the Gemini surface. */
function isGeminiShaped(view: RequestView, surface: Surface): boolean {
  return surface === "gemini" || (surface === "antigravity" && view.path.includes("/v1beta/"));
}

function headerKey(view: RequestView, source: HeaderSource): string | undefined {
  const raw = view.headers[source];
  if (raw === undefined) return undefined;
  if (source === "authorization") return BEARER.exec(raw)?.[1];
  const key = raw.trim();
  return key === "" ? undefined : key;
}

/** The API key a request presents, or undefined (401 API_KEY_REQUIRED). */
export function extractApiKey(view: RequestView, surface: Surface): ExtractedApiKey | undefined {
  const gemini = isGeminiShaped(view, surface);
  const order = gemini ? GEMINI_ORDER : surface === "openai" ? OPENAI_ORDER : ANTHROPIC_ORDER;
  for (const source of order) {
    const key = headerKey(view, source);
    if (key !== undefined) return { key, source };
  }
  if (gemini) {
    const key = view.query.get("key")?.trim();
    if (key) return { key, source: "query" };
  }
  return undefined;
}
