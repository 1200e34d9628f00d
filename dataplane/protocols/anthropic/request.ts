import { GatewayError } from "../../errors.js";
import { type ClientRequest, isObject, type ParsedRequest, tokenLimit } from "../protocol.js";

export function parseAnthropicRequest(_request: ClientRequest, body: unknown): ParsedRequest | GatewayError {
  if (!isObject(body)) return new GatewayError("INVALID_REQUEST", "request body must be a JSON object");
  const { model, stream, messages } = body;
  if (typeof model !== "string" || model === "") {
    return new GatewayError("INVALID_REQUEST", "model: a model name is required");
  }
  if (stream !== undefined && typeof stream !== "boolean") {
    return new GatewayError("INVALID_REQUEST", "stream: must be a boolean");
  }
  if (!Array.isArray(messages)) return new GatewayError("INVALID_REQUEST", "messages: must be an array");
  return { model, stream: stream === true, maxOutputTokens: tokenLimit(body.max_tokens) };
}
