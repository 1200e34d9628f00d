import type { IncomingHttpHeaders } from "node:http";
import type { CredentialSource } from "./types.js";

export interface FoundCredential {
  credential: string;
  source: CredentialSource;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

/**
 * The credential a provider request carries, in the places real providers read it: `x-api-key`
 * (Anthropic), `Authorization: Bearer` (all of them), `x-goog-api-key` or `?key=` (Gemini).
 * Every provider route accepts every form, so the simulator never decides auth policy for the gateway.
 */
export function findCredential(headers: IncomingHttpHeaders, query: Record<string, string>): FoundCredential | null {
  const apiKey = headerValue(headers, "x-api-key");
  if (apiKey) return { credential: apiKey, source: "x-api-key" };
  const authorization = headerValue(headers, "authorization");
  const bearer = /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  if (bearer) return { credential: bearer, source: "authorization" };
  const googKey = headerValue(headers, "x-goog-api-key");
  if (googKey) return { credential: googKey, source: "x-goog-api-key" };
  const queryKey = query.key?.trim();
  if (queryKey) return { credential: queryKey, source: "query-key" };
  return null;
}
