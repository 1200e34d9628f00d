import { GatewayError } from "../../errors.js";
import { type ClientRequest, isObject, type ParsedRequest, tokenLimit } from "../protocol.js";

// Gemini names the model and the action in the path, not the body:
// /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens.
const METHOD_PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

export function parseGeminiRequest(
  { upstreamPath, search }: ClientRequest,
  body: unknown,
): ParsedRequest | GatewayError {
  const match = METHOD_PATH.exec(upstreamPath);
  if (!match) return new GatewayError("NOT_FOUND", `no Gemini method at ${upstreamPath}`);
  let model: string;
  try {
    model = decodeURIComponent(match[1] as string);
  } catch {
    return new GatewayError("INVALID_REQUEST", "model: the model name in the path is not valid URL encoding");
  }
  if (!isObject(body)) return new GatewayError("INVALID_REQUEST", "request body must be a JSON object");
  // countTokens may wrap the request instead: {generateContentRequest: {contents, ...}}.
  const contents =
    match[2] === "countTokens" && isObject(body.generateContentRequest)
      ? body.generateContentRequest.contents
      : body.contents;
  if (!Array.isArray(contents)) return new GatewayError("INVALID_REQUEST", "contents: must be an array");
  // streamGenerateContent streams SSE only with ?alt=sse; without it the answer is one JSON array
  // written progressively, which the gateway treats like a JSON body (usage read once it is whole).
  const stream = match[2] === "streamGenerateContent" && new URLSearchParams(search).get("alt") === "sse";
  const generation = isObject(body.generationConfig) ? body.generationConfig : {};
  return { model, stream, maxOutputTokens: tokenLimit(generation.maxOutputTokens) };
}
