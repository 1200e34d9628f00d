import type { GatewayError } from "../../errors.js";
import type { ErrorBody } from "../protocol.js";

// Anthropic's envelope: {"type":"error","error":{"type","message"}}, plus our stable code.
const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "api_error",
  529: "overloaded_error",
};

export function anthropicErrorBody(error: GatewayError): ErrorBody {
  const type = ERROR_TYPE_BY_STATUS[error.status] ?? (error.status >= 500 ? "api_error" : "invalid_request_error");
  return {
    contentType: "application/json",
    body: JSON.stringify({ type: "error", error: { type, message: error.message, code: error.code } }),
  };
}

/** The SSE error event that ends a broken stream, so clients see a failure, never a clean end. */
export function anthropicStreamErrorEvent(message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message } })}\n\n`;
}
