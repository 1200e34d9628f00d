import { isObject, parseJson, type StreamObserver, tokenCount, type Usage } from "../protocol.js";
import type { SseEvent } from "../sse.js";
import { SseDecoder } from "../sse.js";

// Both OpenAI APIs count cached tokens inside the prompt (`prompt_tokens` / `input_tokens`, with
// the cached part in `*_tokens_details.cached_tokens`), so they are taken out once here. OpenAI has
// no separately billed cache writes; reasoning tokens are already inside the output count.

export function openaiUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const chat = "prompt_tokens" in raw;
  const prompt = tokenCount(chat ? raw.prompt_tokens : raw.input_tokens);
  const details = chat ? raw.prompt_tokens_details : raw.input_tokens_details;
  const cached = Math.min(prompt, tokenCount(isObject(details) ? details.cached_tokens : undefined));
  return {
    inputTokens: prompt - cached,
    outputTokens: tokenCount(chat ? raw.completion_tokens : raw.output_tokens),
    cacheCreationTokens: 0,
    cacheReadTokens: cached,
  };
}

/** A Responses response's id, which a later request may name as previous_response_id. */
export function responseId(response: unknown): string | undefined {
  return isObject(response) && typeof response.id === "string" && response.id !== "" ? response.id : undefined;
}

export function openaiUsageFromBody(body: unknown): Usage | undefined {
  return isObject(body) ? openaiUsage(body.usage) : undefined;
}

function errorOf(raw: unknown): { type: string; message: string } {
  const error = isObject(raw) ? raw : {};
  const type = typeof error.code === "string" ? error.code : typeof error.type === "string" ? error.type : "error";
  return { type, message: typeof error.message === "string" ? error.message : "" };
}

function nonEmpty(value: unknown): boolean {
  return (typeof value === "string" || Array.isArray(value)) && value.length > 0;
}

/** Whether a chunk's choices carry generated content (the first chunk's empty `content: ""` does not). */
function hasGeneratedContent(choices: unknown): boolean {
  if (!Array.isArray(choices)) return false;
  return choices.some((choice) => {
    const delta = isObject(choice) ? choice.delta : undefined;
    return (
      isObject(delta) &&
      (nonEmpty(delta.content) ||
        nonEmpty(delta.tool_calls) ||
        nonEmpty(delta.refusal) ||
        nonEmpty(delta.reasoning_content) ||
        nonEmpty(delta.reasoning))
    );
  });
}

/** Chat Completions: usage in the final chunk (asked for upstream), the end is `data: [DONE]`. */
const WORTH_PARSING = /"usage"\s*:\s*\{|"error"/;

const DELTA = '"delta":{';
const TEXT = '"content":"';
// The delta OpenAI opens every chat stream with: a role and no content.
const OPENINGS = ['"role":"assistant","content":"","refusal":null}', '"role":"assistant","content":""}'];
const QUOTE = 0x22;

/**
 * Whether a chunk carries generated content, read off OpenAI's own layout where that is certain (a
 * parse costs more than the rest of the chunk's observation): the opening delta says no, a delta that
 * starts with non-empty text says yes. Undefined otherwise (several deltas, tool calls, another
 * layout): parse then. Unescaped, `"delta":{` can only be a key, never inside a string.
 */
export function contentAtAGlance(data: string): boolean | undefined {
  const at = data.indexOf(DELTA);
  if (at === -1 || data.indexOf(DELTA, at + DELTA.length) !== -1) return undefined;
  const start = at + DELTA.length;
  if (data.startsWith(TEXT, start)) return data.charCodeAt(start + TEXT.length) !== QUOTE ? true : undefined;
  for (const opening of OPENINGS) if (data.startsWith(opening, start)) return false;
  return undefined;
}

export class ChatStreamObserver implements StreamObserver {
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
    if (data === "[DONE]") {
      this.completed = true;
      return;
    }
    // Only chunks that may carry usage or an error are worth parsing once the first token is seen (a
    // long answer is hundreds of content chunks, each with "usage":null when include_usage is on), and
    // before it, those whose content cannot be told at a glance.
    if (!WORTH_PARSING.test(data)) {
      if (this.firstTokenAt !== undefined) return;
      const content = contentAtAGlance(data);
      if (content === false) return;
      if (content) {
        this.firstTokenAt = this.now();
        return;
      }
    }
    const chunk = parseJson(data);
    if (!isObject(chunk)) return;
    if (isObject(chunk.error)) {
      this.streamError = errorOf(chunk.error);
      return;
    }
    if (this.firstTokenAt === undefined && hasGeneratedContent(chunk.choices)) this.firstTokenAt = this.now();
    this.usage = openaiUsage(chunk.usage) ?? this.usage;
  }
}

/**
 * Responses: every content event is a `*.delta`; usage comes with the terminal event —
 * `response.completed`, `response.incomplete` (stopped early but properly ended) or
 * `response.failed`. Event names are read from `event:` lines, or from the data's `type` when an
 * upstream leaves the lines out.
 */
export class ResponsesStreamObserver implements StreamObserver {
  usage: Usage | undefined;
  firstTokenAt: number | undefined;
  completed = false;
  continuation: string | undefined;
  streamError: { type: string; message: string } | undefined;
  events = 0;
  private readonly decoder = new SseDecoder((event) => this.onEvent(event));

  constructor(private readonly now: () => number) {}

  push(chunk: Buffer): void {
    this.decoder.push(chunk);
  }

  private onEvent(sse: SseEvent): void {
    this.events++;
    let parsed: unknown;
    let type = sse.event;
    if (!type) {
      parsed = parseJson(sse.data);
      type = isObject(parsed) && typeof parsed.type === "string" ? parsed.type : "";
    }
    if (type.endsWith(".delta")) {
      // Only the first one matters, and its payload is not needed.
      if (this.firstTokenAt === undefined) this.firstTokenAt = this.now();
      return;
    }
    switch (type) {
      case "response.completed":
      case "response.incomplete":
      case "response.failed": {
        parsed ??= parseJson(sse.data);
        const response = isObject(parsed) && isObject(parsed.response) ? parsed.response : {};
        this.usage = openaiUsage(response.usage) ?? this.usage;
        this.continuation = responseId(response);
        if (type === "response.failed") this.streamError = errorOf(response.error);
        else this.completed = true;
        return;
      }
      case "error": {
        parsed ??= parseJson(sse.data);
        this.streamError = errorOf(isObject(parsed) && isObject(parsed.error) ? parsed.error : parsed);
        return;
      }
      default:
        return;
    }
  }
}
