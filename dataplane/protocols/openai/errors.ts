import { GatewayError } from "../../errors.js";
import type { ErrorBody } from "../protocol.js";

// OpenAI's envelope: {"error":{"message","type","param","code"}}, with our stable code in `code`
// (OpenAI itself puts machine codes such as "invalid_api_key" there). The SDKs pick their error
// class from the HTTP status, so `type` only has to be the closest of OpenAI's own values.
const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "invalid_request_error",
  405: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

function errorObject(error: GatewayError): Record<string, unknown> {
  const type = ERROR_TYPE_BY_STATUS[error.status] ?? (error.status >= 500 ? "server_error" : "invalid_request_error");
  return { message: error.message, type, param: null, code: error.code };
}

export function openaiErrorBody(error: GatewayError): ErrorBody {
  return { contentType: "application/json", body: JSON.stringify({ error: errorObject(error) }) };
}

/**
 * Chat Completions reports a failure inside a stream as a bare `data: {"error":{...}}` event: the
 * openai SDKs throw an APIError on any event whose data has an `error` object. No `[DONE]` follows,
 * so no client can take the cut answer for a whole one.
 */
export function openaiChatStreamErrorEvent(message: string): string {
  return `data: ${JSON.stringify({ error: errorObject(new GatewayError("UPSTREAM_ERROR", message)) })}\n\n`;
}

/**
 * A broken Responses stream ends with two events. `error` carries the error both flat (the
 * documented ResponseErrorEvent fields) and nested under `error` (how the API actually sends it, and
 * what makes the openai SDK throw). Codex ignores `error` events but fails the turn on
 * `response.failed`, reporting `response.error.message` (codex-rs codex-api/src/sse/responses.rs);
 * without it Codex would only say "stream closed before response.completed".
 */
export function openaiResponsesStreamErrorEvent(message: string): string {
  const error = errorObject(new GatewayError("UPSTREAM_ERROR", message));
  const failed = {
    type: "response.failed",
    response: { object: "response", status: "failed", error: { code: "server_error", message }, usage: null },
  };
  return (
    `event: error\ndata: ${JSON.stringify({ type: "error", code: error.code, message, param: null, error })}\n\n` +
    `event: response.failed\ndata: ${JSON.stringify(failed)}\n\n`
  );
}
