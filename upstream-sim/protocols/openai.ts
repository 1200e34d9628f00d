// OpenAI Chat Completions and Responses APIs: https://platform.openai.com/docs/api-reference

import { isObject, type JsonObject } from "../json.js";
import type { PromptSegment } from "../prompt-cache.js";
import { dataEvent, namedEvent, SSE_CONTENT_TYPE, type StreamFrames } from "../sse.js";
import type { Completion, SimUsage } from "../types.js";
import type { CompletionSurface, ErrorEnvelope } from "./surface.js";

const ERRORS: Record<number, { type: string; code: string | null }> = {
  400: { type: "invalid_request_error", code: null },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  403: { type: "invalid_request_error", code: "unsupported_country_region_territory" },
  404: { type: "invalid_request_error", code: "model_not_found" },
  429: { type: "requests", code: "rate_limit_exceeded" },
  500: { type: "server_error", code: null },
  503: { type: "server_error", code: "overloaded" },
  529: { type: "server_error", code: "overloaded" },
};

export function openaiError(status: number, message: string, type?: string): ErrorEnvelope {
  const known = ERRORS[status] ?? { type: status >= 500 ? "server_error" : "invalid_request_error", code: null };
  const error = { message, type: type ?? known.type, param: null, code: known.code };
  return { body: { error }, error };
}

function jsonSegments(items: unknown[]): PromptSegment[] {
  return items.map((item) => ({ text: JSON.stringify(item), breakpoint: false }));
}

function toolsSegment(body: JsonObject): PromptSegment[] {
  return Array.isArray(body.tools) && body.tools.length > 0 ? jsonSegments([body.tools]) : [];
}

/** OpenAI counts cached tokens inside prompt tokens. */
function chatUsage(usage: SimUsage): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const OVERLOADED = "The server is overloaded. Please try again later.";
const FINGERPRINT = "fp_upstream_sim";

function chatFrames(completion: Completion, body: JsonObject): StreamFrames {
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const open = `{"id":"chatcmpl-${completion.id}","object":"chat.completion.chunk","created":${completion.created},"model":${JSON.stringify(completion.model)},"system_fingerprint":"${FINGERPRINT}","choices":`;
  // With include_usage every chunk carries "usage": null until the final usage chunk.
  const close = includeUsage ? ',"usage":null}\n\n' : "}\n\n";
  const choice = (delta: string, finish: string | null) =>
    `[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}}]`;
  const tail = [`data: ${open}${choice("{}", "stop")}${close}`];
  if (includeUsage) tail.push(`data: ${open}[],"usage":${JSON.stringify(chatUsage(completion.usage))}}\n\n`);
  tail.push("data: [DONE]\n\n");
  return {
    contentType: SSE_CONTENT_TYPE,
    head: [`data: ${open}${choice('{"role":"assistant","content":"","refusal":null}', null)}${close}`],
    deltas: completion.pieces.map(
      (piece) => `data: ${open}${choice(`{"content":${JSON.stringify(piece)}}`, null)}${close}`,
    ),
    tail,
  };
}

export const openaiChat: CompletionSurface = {
  cacheMode: "implicit",
  isStream: (body) => body.stream === true,
  segments: (body) => [...toolsSegment(body), ...jsonSegments(Array.isArray(body.messages) ? body.messages : [])],
  json: (completion) => ({
    id: `chatcmpl-${completion.id}`,
    object: "chat.completion",
    created: completion.created,
    model: completion.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: completion.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: chatUsage(completion.usage),
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  }),
  frames: chatFrames,
  // Chat completions report a failure inside a stream as a bare error object.
  streamError: (errorType, message) =>
    dataEvent({
      error: { message: message ?? OVERLOADED, type: errorType ?? "server_error", param: null, code: null },
    }),
  dictatedReply: () => null,
};

function responsesUsage(usage: SimUsage): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

function outputText(text: string): JsonObject {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function messageItem(completion: Completion, status: string, content: JsonObject[]): JsonObject {
  return { id: `msg_${completion.id}`, type: "message", status, role: "assistant", content };
}

function responseObject(completion: Completion, done: boolean): JsonObject {
  return {
    id: `resp_${completion.id}`,
    object: "response",
    created_at: completion.created,
    status: done ? "completed" : "in_progress",
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: completion.model,
    output: done ? [messageItem(completion, "completed", [outputText(completion.text)])] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: done ? responsesUsage(completion.usage) : null,
    metadata: {},
  };
}

function responsesFrames(completion: Completion): StreamFrames {
  let sequence = 0;
  const event = (type: string, fields: JsonObject) =>
    namedEvent(type, { type, sequence_number: sequence++, ...fields });
  const itemId = `msg_${completion.id}`;
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const head = [
    event("response.created", { response: responseObject(completion, false) }),
    event("response.in_progress", { response: responseObject(completion, false) }),
    event("response.output_item.added", { output_index: 0, item: messageItem(completion, "in_progress", []) }),
    event("response.content_part.added", { ...at, part: outputText("") }),
  ];
  const deltas = completion.pieces.map((delta) => event("response.output_text.delta", { ...at, delta, logprobs: [] }));
  const tail = [
    event("response.output_text.done", { ...at, text: completion.text, logprobs: [] }),
    event("response.content_part.done", { ...at, part: outputText(completion.text) }),
    event("response.output_item.done", {
      output_index: 0,
      item: messageItem(completion, "completed", [outputText(completion.text)]),
    }),
    event("response.completed", { response: responseObject(completion, true) }),
  ];
  return { contentType: SSE_CONTENT_TYPE, head, deltas, tail };
}

function responsesSegments(body: JsonObject): PromptSegment[] {
  const out: PromptSegment[] = [];
  if (typeof body.instructions === "string") out.push({ text: body.instructions, breakpoint: false });
  out.push(...toolsSegment(body));
  if (typeof body.input === "string") out.push({ text: body.input, breakpoint: false });
  if (Array.isArray(body.input)) out.push(...jsonSegments(body.input));
  return out;
}

export const openaiResponses: CompletionSurface = {
  cacheMode: "implicit",
  isStream: (body) => body.stream === true,
  segments: responsesSegments,
  json: (completion) => responseObject(completion, true),
  frames: responsesFrames,
  streamError: (errorType, message) =>
    namedEvent("error", {
      type: "error",
      code: errorType ?? "server_error",
      message: message ?? OVERLOADED,
      param: null,
    }),
  dictatedReply: () => null,
};

const MODELS = ["gpt-6.2-sol", "gpt-5", "gpt-5-mini", "gpt-4o"];

export function openaiModels(): JsonObject {
  return {
    object: "list",
    data: MODELS.map((id) => ({ id, object: "model", created: 1_727_000_000, owned_by: "openai" })),
  };
}
