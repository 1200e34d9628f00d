import { GatewayError } from "../../errors.js";
import type { ErrorBody } from "../protocol.js";

// Google's envelope: {"error":{"code","message","status"}} where `code` is the HTTP status, so our
// stable code goes where Google puts machine-readable reasons: a google.rpc.ErrorInfo in `details`
// (`reason`, with our own `domain`). The @google/genai SDK reads `code`/`status`/`message` and keeps
// the rest; Gemini CLI looks in `details` only for Google's own retry and quota entries.
const STATUS_BY_HTTP: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "UNIMPLEMENTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export const ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo";
export const ERROR_DOMAIN = "tollgate";

function envelope(error: GatewayError): string {
  return JSON.stringify({
    error: {
      code: error.status,
      message: error.message,
      status: STATUS_BY_HTTP[error.status] ?? (error.status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
      details: [{ "@type": ERROR_INFO_TYPE, reason: error.code, domain: ERROR_DOMAIN }],
    },
  });
}

export function geminiErrorBody(error: GatewayError): ErrorBody {
  return { contentType: "application/json", body: envelope(error) };
}

/**
 * Google reports a failure inside a stream as a `data:` event holding the error envelope; the
 * @google/genai SDK (and so Gemini CLI) throws an ApiError on any chunk with an `error` object whose
 * `code` is an HTTP error status.
 */
export function geminiStreamErrorEvent(message: string): string {
  return `data: ${envelope(new GatewayError("UPSTREAM_ERROR", message))}\n\n`;
}
