import { isObject, parseJson, type StreamObserver, tokenCount, type Usage } from "../protocol.js";
import type { SseEvent } from "../sse.js";
import { SseDecoder } from "../sse.js";

// Anthropic reports input and cache tokens in message_start and the running output count in
// message_delta; cache tokens are already outside input_tokens, so no normalisation is needed.

export function anthropicUsage(raw: unknown, into?: Usage): Usage | undefined {
  if (!isObject(raw)) return into;
  const usage = into ?? { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
  if ("input_tokens" in raw) usage.inputTokens = tokenCount(raw.input_tokens);
  if ("output_tokens" in raw) usage.outputTokens = tokenCount(raw.output_tokens);
  if ("cache_creation_input_tokens" in raw) usage.cacheCreationTokens = tokenCount(raw.cache_creation_input_tokens);
  if ("cache_read_input_tokens" in raw) usage.cacheReadTokens = tokenCount(raw.cache_read_input_tokens);
  return usage;
}

export function anthropicUsageFromBody(body: unknown): Usage | undefined {
  return isObject(body) ? anthropicUsage(body.usage) : undefined;
}

export class AnthropicStreamObserver implements StreamObserver {
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

  private onEvent(sse: SseEvent): void {
    this.events++;
    switch (sse.event) {
      case "content_block_delta":
        // Only the first one matters, and its payload is not needed: no parse.
        if (this.firstTokenAt === undefined) this.firstTokenAt = this.now();
        return;
      case "message_start": {
        const parsed = parseJson(sse.data);
        if (isObject(parsed) && isObject(parsed.message)) this.usage = anthropicUsage(parsed.message.usage, this.usage);
        return;
      }
      case "message_delta": {
        const parsed = parseJson(sse.data);
        if (isObject(parsed)) this.usage = anthropicUsage(parsed.usage, this.usage);
        return;
      }
      case "message_stop":
        this.completed = true;
        return;
      case "error": {
        const parsed = parseJson(sse.data);
        const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : {};
        this.streamError = {
          type: typeof error.type === "string" ? error.type : "error",
          message: typeof error.message === "string" ? error.message : "",
        };
        return;
      }
      default:
        return;
    }
  }
}
