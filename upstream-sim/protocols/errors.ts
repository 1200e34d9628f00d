import { STATUS_CODES } from "node:http";
import type { Protocol } from "../types.js";
import { anthropicError } from "./anthropic.js";
import { geminiError } from "./gemini.js";
import { openaiError } from "./openai.js";
import type { ErrorEnvelope } from "./surface.js";

/** RFC 6749 §5.2 token endpoint errors: `error` is a code, not an object. */
function oauthError(status: number, message: string, type?: string): ErrorEnvelope {
  const body = { error: type ?? (status >= 500 ? "server_error" : "invalid_grant"), error_description: message };
  return { body, error: body };
}

function plainError(status: number, message: string, type?: string): ErrorEnvelope {
  const error = { message, type: type ?? (status === 404 ? "not_found" : "error") };
  return { body: { error }, error };
}

const ENVELOPES: Record<Protocol, (status: number, message: string, type?: string) => ErrorEnvelope> = {
  anthropic: anthropicError,
  openai: openaiError,
  gemini: geminiError,
  oauth: oauthError,
  sim: plainError,
  none: plainError,
};

/** An error body in the envelope of the protocol the caller speaks. */
export function errorEnvelope(protocol: Protocol, status: number, message?: string, type?: string): ErrorEnvelope {
  return ENVELOPES[protocol](status, message ?? defaultMessage(status), type);
}

export function defaultMessage(status: number): string {
  if (status === 529) return "Overloaded";
  return STATUS_CODES[status] ?? `Status ${status}`;
}
