import type { JsonObject } from "../json.js";
import type { PromptSegment } from "../prompt-cache.js";
import type { StreamFrames } from "../sse.js";
import type { Completion } from "../types.js";

/** An error body, and the inner error object that rate-limit hints are added to. */
export interface ErrorEnvelope {
  body: JsonObject;
  error: JsonObject;
}

/** One completion endpoint of a provider: how to read its request and how to render its answer. */
export interface CompletionSurface {
  /** `explicit` reads Anthropic `cache_control`; `implicit` caches long prefixes automatically. */
  cacheMode: "explicit" | "implicit";
  isStream(body: JsonObject, query: Record<string, string>): boolean;
  segments(body: JsonObject): PromptSegment[];
  json(completion: Completion): unknown;
  frames(completion: Completion, body: JsonObject, query: Record<string, string>): StreamFrames;
  /** A frame reporting an error inside a 200 stream, the way this provider does it (defaults: overloaded). */
  streamError(errorType: string | undefined, message: string | undefined): string;
  /** A reply the request itself dictates (JSON mode), or null for the default reply. */
  dictatedReply(body: JsonObject): string | null;
}
