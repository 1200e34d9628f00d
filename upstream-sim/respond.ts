import type { OutgoingHttpHeaders } from "node:http";
import { buildCompletion } from "./completion.js";
import { isObject, type JsonObject } from "./json.js";
import { parseRefreshRequest } from "./oauth.js";
import { jsonPlan, type ResponsePlan, streamPlan } from "./plan.js";
import { anthropicCountTokens, anthropicMessages, anthropicModels } from "./protocols/anthropic.js";
import { errorEnvelope } from "./protocols/errors.js";
import { geminiCountTokens, geminiGenerate, geminiModels, geminiStreamGenerate } from "./protocols/gemini.js";
import { openaiChat, openaiModels, openaiResponses } from "./protocols/openai.js";
import type { CompletionSurface } from "./protocols/surface.js";
import type { Route } from "./routes.js";
import type { SimState } from "./state.js";
import { estimateTokens } from "./tokens.js";
import type { Operation, Protocol } from "./types.js";

/** One provider request, as the response builders see it. */
export interface RequestContext {
  route: Route;
  query: Record<string, string>;
  body: unknown;
  rawBody: string;
  account: string;
  /** Headers every response to this request carries (request ids). */
  responseHeaders: OutgoingHttpHeaders;
}

/** What a `reply` step or the `x-sim-*` headers change about a normal answer. */
export interface ReplyOverrides {
  text?: string;
  chunks?: number;
  chunkDelayMs?: number;
}

const SURFACES: Partial<Record<Operation, CompletionSurface>> = {
  messages: anthropicMessages,
  chat_completions: openaiChat,
  responses: openaiResponses,
  generate_content: geminiGenerate,
  stream_generate_content: geminiStreamGenerate,
};

const TOKEN_COUNTERS: Partial<Record<Protocol, (tokens: number) => JsonObject>> = {
  anthropic: anthropicCountTokens,
  gemini: geminiCountTokens,
};

const MODEL_LISTS: Partial<Record<Protocol, () => JsonObject>> = {
  anthropic: anthropicModels,
  openai: openaiModels,
  gemini: geminiModels,
};

export function surfaceOf(route: Route): CompletionSurface | undefined {
  return SURFACES[route.operation];
}

/** The model a request names: in the path for Gemini, in the body elsewhere. */
export function requestModel(route: Route, body: unknown): string | null {
  if (route.model) return route.model;
  return isObject(body) && typeof body.model === "string" ? body.model : null;
}

function completionPlan(state: SimState, ctx: RequestContext, surface: CompletionSurface, reply: ReplyOverrides) {
  const body = ctx.body as JsonObject;
  const completion = buildCompletion(state.cache, surface, {
    id: state.nextResponseId(),
    model: requestModel(ctx.route, body) ?? "unknown",
    account: ctx.account,
    body,
    rawBody: ctx.rawBody,
    text: reply.text ?? surface.dictatedReply(body) ?? state.settings.replyText,
    chunks: reply.chunks ?? state.settings.chunks,
  });
  if (!surface.isStream(body, ctx.query)) return jsonPlan(200, surface.json(completion), ctx.responseHeaders);
  const frames = surface.frames(completion, body, ctx.query);
  return streamPlan(frames, reply.chunkDelayMs ?? state.settings.chunkDelayMs, ctx.responseHeaders);
}

function oauthPlan(state: SimState, ctx: RequestContext): ResponsePlan {
  const request = parseRefreshRequest(ctx.body);
  if (!request.ok) return jsonPlan(request.status, { error: request.error, error_description: request.description });
  const grant = state.accounts.refresh(request.refreshToken, Date.now(), state.settings.oauthExpiresInSeconds);
  if (!grant) return jsonPlan(400, { error: "invalid_grant", error_description: "refresh token already used" });
  return jsonPlan(200, grant, { "cache-control": "no-store" });
}

function errorPlan(ctx: RequestContext, status: number, message?: string): ResponsePlan {
  return jsonPlan(status, errorEnvelope(ctx.route.protocol, status, message).body, ctx.responseHeaders);
}

/** The answer a healthy provider gives. */
export function normalPlan(state: SimState, ctx: RequestContext, reply: ReplyOverrides): ResponsePlan {
  const surface = surfaceOf(ctx.route);
  if (surface) return completionPlan(state, ctx, surface, reply);
  const { protocol, operation } = ctx.route;
  const counter = TOKEN_COUNTERS[protocol];
  if (operation === "count_tokens" && counter) {
    return jsonPlan(200, counter(estimateTokens(ctx.rawBody.length)), ctx.responseHeaders);
  }
  const models = MODEL_LISTS[protocol];
  if (operation === "models" && models) return jsonPlan(200, models(), ctx.responseHeaders);
  if (operation === "oauth_token") return oauthPlan(state, ctx);
  return errorPlan(ctx, 404, `No route for ${ctx.route.operation}`);
}
