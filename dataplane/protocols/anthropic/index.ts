import type { Protocol } from "../protocol.js";
import { anthropicErrorBody, anthropicStreamErrorEvent } from "./errors.js";
import { anthropicUpstreamRequest } from "./forward.js";
import { parseAnthropicRequest } from "./request.js";
import { AnthropicStreamObserver, anthropicUsageFromBody } from "./usage.js";

export const anthropicProtocol: Protocol = {
  name: "anthropic",
  conversation: "anthropic",
  parseRequest: parseAnthropicRequest,
  upstreamRequest: anthropicUpstreamRequest,
  errorBody: anthropicErrorBody,
  streamErrorEvent: anthropicStreamErrorEvent,
  createStreamObserver: (now) => new AnthropicStreamObserver(now),
  completionIsFinal: true,
  usageFromBody: anthropicUsageFromBody,
};
