import { isObject, parseJson, type StreamObserver, tokenCount, type Usage } from "../protocol.js";
import type { SseEvent } from "../sse.js";
import { SseDecoder } from "../sse.js";

// Gemini sends `usageMetadata` with (nearly) every chunk, each a running total: the last one wins.
// `promptTokenCount` includes `cachedContentTokenCount`, so the cached part is taken out of input;
// tool-use prompt tokens (grounding results) are billed as input but counted outside the prompt;
// thinking tokens are billed as output but counted outside the candidates.

export function geminiUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const prompt = tokenCount(raw.promptTokenCount);
  const cached = Math.min(prompt, tokenCount(raw.cachedContentTokenCount));
  return {
    inputTokens: prompt - cached + tokenCount(raw.toolUsePromptTokenCount),
    outputTokens: tokenCount(raw.candidatesTokenCount) + tokenCount(raw.thoughtsTokenCount),
    cacheCreationTokens: 0,
    cacheReadTokens: cached,
  };
}

/** A generateContent response, or the JSON array streamGenerateContent sends without `?alt=sse`. */
export function geminiUsageFromBody(body: unknown): Usage | undefined {
  if (Array.isArray(body)) {
    let usage: Usage | undefined;
    for (const chunk of body) usage = (isObject(chunk) ? geminiUsage(chunk.usageMetadata) : undefined) ?? usage;
    return usage;
  }
  return isObject(body) ? geminiUsage(body.usageMetadata) : undefined;
}

function hasGeneratedContent(candidate: Record<string, unknown>): boolean {
  const parts = isObject(candidate.content) ? candidate.content.parts : undefined;
  // A text part counts once it has text; any other part (a function call, inline data) is content.
  return Array.isArray(parts) && parts.some((p) => isObject(p) && (typeof p.text !== "string" || p.text !== ""));
}

export class GeminiStreamObserver implements StreamObserver {
  usage: Usage | undefined;
  firstTokenAt: number | undefined;
  completed = false;
  streamError: { type: string; message: string } | undefined;
  events = 0;
  private readonly decoder = new SseDecoder((event) => this.onEvent(event));

  constructor(private readonly now: () => number) {}

  push(chunk: Buffer): void {
    this.decoder.push(chunk);
  }

  private onEvent({ data }: SseEvent): void {
    this.events++;
    const chunk = parseJson(data);
    if (!isObject(chunk)) return;
    if (isObject(chunk.error)) {
      const { status, message } = chunk.error;
      this.streamError = {
        type: typeof status === "string" ? status : "error",
        message: typeof message === "string" ? message : "",
      };
      return;
    }
    this.usage = geminiUsage(chunk.usageMetadata) ?? this.usage;
    if (!Array.isArray(chunk.candidates)) return;
    for (const candidate of chunk.candidates) {
      if (!isObject(candidate)) continue;
      if (this.firstTokenAt === undefined && hasGeneratedContent(candidate)) this.firstTokenAt = this.now();
      if (typeof candidate.finishReason === "string" && candidate.finishReason !== "") this.completed = true;
    }
  }
}
