import type { Protocol } from "../protocol.js";
import { geminiErrorBody, geminiStreamErrorEvent } from "./errors.js";
import { geminiUpstreamRequest } from "./forward.js";
import { parseGeminiRequest } from "./request.js";
import { GeminiStreamObserver, geminiUsageFromBody } from "./usage.js";

export const geminiProtocol: Protocol = {
  name: "gemini",
  conversation: "gemini",
  parseRequest: parseGeminiRequest,
  upstreamRequest: geminiUpstreamRequest,
  errorBody: geminiErrorBody,
  streamErrorEvent: geminiStreamErrorEvent,
  createStreamObserver: (now) => new GeminiStreamObserver(now),
  usageFromBody: geminiUsageFromBody,
};
