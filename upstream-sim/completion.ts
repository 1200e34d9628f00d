import type { JsonObject } from "./json.js";
import { IMPLICIT_MIN_TOKENS, type PromptCache } from "./prompt-cache.js";
import type { CompletionSurface } from "./protocols/surface.js";
import { replyPieces } from "./reply.js";
import { estimateTokens } from "./tokens.js";
import type { Completion, SimUsage } from "./types.js";

export interface CompletionInput {
  id: string;
  model: string;
  account: string;
  body: JsonObject;
  /** The request body as text: input tokens come from its size. */
  rawBody: string;
  text: string;
  chunks: number | undefined;
}

/**
 * Input tokens from the request size, cache tokens from the per-account prompt cache. Prefix hashing
 * only runs when caching can apply (a `cache_control` marker, or a prompt long enough for implicit caching).
 */
function promptUsage(
  cache: PromptCache,
  surface: CompletionSurface,
  input: CompletionInput,
): Omit<SimUsage, "outputTokens"> {
  const inputTokens = estimateTokens(input.rawBody.length);
  const applies =
    surface.cacheMode === "explicit"
      ? input.rawBody.includes('"cache_control"')
      : input.rawBody.length >= IMPLICIT_MIN_TOKENS * 4;
  if (!applies) return { inputTokens, cacheCreationTokens: 0, cacheReadTokens: 0 };
  const use = cache[surface.cacheMode](input.account, input.model, surface.segments(input.body));
  // The cached parts never exceed the prompt, and at least one token stays uncached.
  const cacheable = inputTokens - 1;
  const cacheReadTokens = Math.min(use.readTokens, cacheable);
  const cacheCreationTokens = Math.min(use.creationTokens, cacheable - cacheReadTokens);
  return { inputTokens, cacheCreationTokens, cacheReadTokens };
}

export function buildCompletion(cache: PromptCache, surface: CompletionSurface, input: CompletionInput): Completion {
  const pieces = replyPieces(input.text, input.chunks);
  const text = pieces.join("");
  return {
    id: input.id,
    model: input.model,
    created: Math.floor(Date.now() / 1000),
    text,
    pieces,
    usage: { ...promptUsage(cache, surface, input), outputTokens: estimateTokens(text.length) },
  };
}
