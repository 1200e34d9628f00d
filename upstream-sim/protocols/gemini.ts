// Gemini API: https://ai.google.dev/api/generate-content
import { isObject, type JsonObject } from "../json.js";
import { valueForSchema } from "../json-schema-value.js";
import type { PromptSegment } from "../prompt-cache.js";
import { SSE_CONTENT_TYPE, type StreamFrames } from "../sse.js";
import type { Completion, SimUsage } from "../types.js";
import type { CompletionSurface, ErrorEnvelope } from "./surface.js";

const STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
  529: "UNAVAILABLE",
};

export function geminiError(status: number, message: string, type?: string): ErrorEnvelope {
  const error = { code: status, message, status: type ?? STATUSES[status] ?? (status >= 500 ? "INTERNAL" : "UNKNOWN") };
  return { body: { error }, error };
}

function segments(body: JsonObject): PromptSegment[] {
  const out: PromptSegment[] = [];
  for (const part of [body.systemInstruction, body.tools]) {
    if (part !== undefined) out.push({ text: JSON.stringify(part), breakpoint: false });
  }
  if (Array.isArray(body.contents)) {
    for (const content of body.contents) out.push({ text: JSON.stringify(content), breakpoint: false });
  }
  return out;
}

/** Gemini counts cached tokens inside promptTokenCount and omits the cached count when nothing was cached. */
function usageMetadata(usage: SimUsage): JsonObject {
  return {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
    ...(usage.cacheReadTokens > 0 ? { cachedContentTokenCount: usage.cacheReadTokens } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.inputTokens }],
  };
}

function chunk(completion: Completion, text: string, final: boolean): JsonObject {
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        ...(final ? { finishReason: "STOP" } : {}),
        index: 0,
      },
    ],
    usageMetadata: final
      ? usageMetadata(completion.usage)
      : { promptTokenCount: completion.usage.inputTokens, totalTokenCount: completion.usage.inputTokens },
    modelVersion: completion.model,
    responseId: completion.id,
  };
}

/** `?alt=sse` streams SSE (CRLF-framed, as Google sends it); without it the stream is one JSON array. */
function frames(completion: Completion, _body: JsonObject, query: Record<string, string>): StreamFrames {
  const last = completion.pieces.length - 1;
  const chunks = completion.pieces.map((piece, i) => JSON.stringify(chunk(completion, piece, i === last)));
  if (query.alt === "sse") {
    return { contentType: SSE_CONTENT_TYPE, head: [], deltas: chunks.map((c) => `data: ${c}\r\n\r\n`), tail: [] };
  }
  return {
    contentType: "application/json; charset=UTF-8",
    head: ["["],
    deltas: chunks.map((c, i) => (i === 0 ? c : `,\r\n${c}`)),
    tail: ["]"],
  };
}

/** JSON mode: a reply valid for the response schema (Gemini CLI's router parses it). */
function dictatedReply(body: JsonObject): string | null {
  const config = body.generationConfig;
  if (!isObject(config) || config.responseMimeType !== "application/json") return null;
  const schema = config.responseJsonSchema ?? config.responseSchema;
  return schema === undefined ? null : JSON.stringify(valueForSchema(schema));
}

function surface(stream: boolean): CompletionSurface {
  return {
    cacheMode: "implicit",
    isStream: () => stream,
    segments,
    json: (completion) => chunk(completion, completion.text, true),
    frames,
    streamError: (errorType, message) => {
      const error = geminiError(503, message ?? "The model is overloaded. Please try again later.", errorType);
      return `data: ${JSON.stringify(error.body)}\r\n\r\n`;
    },
    dictatedReply,
  };
}

export const geminiGenerate = surface(false);
export const geminiStreamGenerate = surface(true);

export function geminiCountTokens(totalTokens: number): JsonObject {
  return { totalTokens, promptTokensDetails: [{ modality: "TEXT", tokenCount: totalTokens }] };
}

const MODELS = ["gemini-3.1-pro-preview", "gemini-3.8-flash", "gemini-3.5-flash-lite", "gemini-2.5-flash"];

export function geminiModels(): JsonObject {
  return {
    models: MODELS.map((id) => ({
      name: `models/${id}`,
      version: "001",
      displayName: id,
      description: `${id} (upstream-sim)`,
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: ["generateContent", "countTokens", "streamGenerateContent"],
    })),
  };
}
