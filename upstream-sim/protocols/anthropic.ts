// Anthropic Messages API: https://docs.anthropic.com/en/api/messages-streaming

import { isObject, type JsonObject } from "../json.js";
import type { PromptSegment } from "../prompt-cache.js";
import { namedEvent, SSE_CONTENT_TYPE, type StreamFrames } from "../sse.js";
import type { Completion, SimUsage } from "../types.js";
import type { CompletionSurface, ErrorEnvelope } from "./surface.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export function anthropicError(status: number, message: string, type?: string): ErrorEnvelope {
  const error = { type: type ?? ERROR_TYPES[status] ?? "api_error", message };
  return { body: { type: "error", error }, error };
}

// Claude Code's first system block carries a per-build billing marker that the API does not cache on.
const BILLING_HEADER = "x-anthropic-billing-header:";

function blockSegment(block: unknown, prefix: string): PromptSegment {
  if (!isObject(block)) return { text: prefix + JSON.stringify(block), breakpoint: false };
  // The breakpoint moves between turns; the cached prefix must not depend on where it sits.
  const { cache_control, ...rest } = block;
  return { text: prefix + JSON.stringify(rest), breakpoint: cache_control !== undefined && cache_control !== null };
}

/** Cache order is tools, then system, then messages. */
function segments(body: JsonObject): PromptSegment[] {
  const out: PromptSegment[] = [];
  if (Array.isArray(body.tools)) for (const tool of body.tools) out.push(blockSegment(tool, "tool:"));
  if (typeof body.system === "string") out.push({ text: `system:${body.system}`, breakpoint: false });
  if (Array.isArray(body.system)) {
    for (const block of body.system) {
      if (isObject(block) && typeof block.text === "string" && block.text.startsWith(BILLING_HEADER)) continue;
      out.push(blockSegment(block, "system:"));
    }
  }
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isObject(message)) continue;
      const role = `${String(message.role)}:`;
      if (!Array.isArray(message.content)) {
        out.push({ text: role + JSON.stringify(message.content), breakpoint: false });
        continue;
      }
      message.content.forEach((block, i) => {
        out.push(blockSegment(block, i === 0 ? role : ""));
      });
    }
  }
  return out;
}

/** Anthropic reports cache tokens outside `input_tokens`. */
function usageObject(usage: SimUsage): JsonObject {
  return {
    input_tokens: usage.inputTokens - usage.cacheCreationTokens - usage.cacheReadTokens,
    cache_creation_input_tokens: usage.cacheCreationTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: usage.outputTokens,
  };
}

function messageId(completion: Completion): string {
  return `msg_${completion.id}`;
}

const PING = namedEvent("ping", { type: "ping" });
const BLOCK_START = namedEvent("content_block_start", {
  type: "content_block_start",
  index: 0,
  content_block: { type: "text", text: "" },
});
const BLOCK_STOP = namedEvent("content_block_stop", { type: "content_block_stop", index: 0 });
const MESSAGE_STOP = namedEvent("message_stop", { type: "message_stop" });
const DELTA_PREFIX =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":';

function frames(completion: Completion): StreamFrames {
  const messageStart = namedEvent("message_start", {
    type: "message_start",
    message: {
      id: messageId(completion),
      type: "message",
      role: "assistant",
      model: completion.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usageObject(completion.usage), output_tokens: 1 },
    },
  });
  const messageDelta = namedEvent("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: completion.usage.outputTokens },
  });
  return {
    contentType: SSE_CONTENT_TYPE,
    head: [messageStart, PING, BLOCK_START],
    deltas: completion.pieces.map((piece) => `${DELTA_PREFIX}${JSON.stringify(piece)}}}\n\n`),
    tail: [BLOCK_STOP, messageDelta, MESSAGE_STOP],
  };
}

export const anthropicMessages: CompletionSurface = {
  cacheMode: "explicit",
  isStream: (body) => body.stream === true,
  segments,
  json: (completion) => ({
    id: messageId(completion),
    type: "message",
    role: "assistant",
    model: completion.model,
    content: [{ type: "text", text: completion.text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: usageObject(completion.usage),
  }),
  frames,
  streamError: (errorType, message) =>
    namedEvent("error", anthropicError(529, message ?? "Overloaded", errorType ?? "overloaded_error").body),
  dictatedReply: () => null,
};

export function anthropicCountTokens(inputTokens: number): JsonObject {
  return { input_tokens: inputTokens };
}

const MODELS = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"];

export function anthropicModels(): JsonObject {
  return {
    data: MODELS.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-09-29T00:00:00Z" })),
    has_more: false,
    first_id: MODELS[0],
    last_id: MODELS[MODELS.length - 1],
  };
}
