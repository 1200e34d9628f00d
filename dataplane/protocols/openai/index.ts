import type { Protocol } from "../protocol.js";
import { openaiChatStreamErrorEvent, openaiErrorBody, openaiResponsesStreamErrorEvent } from "./errors.js";
import { chatUpstreamRequest, responsesUpstreamRequest } from "./forward.js";
import { parseChatRequest, parseResponsesRequest } from "./request.js";
import { ChatStreamObserver, openaiUsageFromBody, ResponsesStreamObserver, responseId } from "./usage.js";

export const openaiChatProtocol: Protocol = {
  name: "openai-chat",
  conversation: "openai-chat",
  parseRequest: parseChatRequest,
  upstreamRequest: chatUpstreamRequest,
  errorBody: openaiErrorBody,
  streamErrorEvent: openaiChatStreamErrorEvent,
  createStreamObserver: (now) => new ChatStreamObserver(now),
  completionIsFinal: true,
  usageFromBody: openaiUsageFromBody,
};

export const openaiResponsesProtocol: Protocol = {
  name: "openai-responses",
  conversation: "openai-responses",
  parseRequest: parseResponsesRequest,
  upstreamRequest: responsesUpstreamRequest,
  errorBody: openaiErrorBody,
  streamErrorEvent: openaiResponsesStreamErrorEvent,
  createStreamObserver: (now) => new ResponsesStreamObserver(now),
  completionIsFinal: true,
  usageFromBody: openaiUsageFromBody,
  continuationFromBody: responseId,
};
