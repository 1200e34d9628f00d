import type { IncomingHttpHeaders } from "node:http";
import { MAX_TOKEN_COUNT } from "../../common/pricing.js";
import type { Account } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { GatewayError } from "../errors.js";
import type { SessionProtocol } from "../routing/session-identity.js";
import type { UpstreamRequest } from "../upstream/upstream-call.js";

// What the request pipeline needs from a client protocol. Each protocol folder implements it with
// the same files (errors, request, usage, forward); shared code never branches on the protocol.

/** Normalised once (DESIGN §5.10): input_tokens exclude cache reads and writes. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

export interface ParsedRequest {
  model: string;
  stream: boolean;
  /** The output limit the request sets (max_tokens and its kin); bounds what it can cost. */
  maxOutputTokens?: number | undefined;
  /** The body to send upstream when the protocol changes the client's (made once, at parse time); absent: rawBody. */
  upstreamBody?: Buffer | undefined;
}

/** The client request as the protocol sees it: no node:http objects. */
export interface ClientRequest {
  method: "GET" | "POST";
  /** The provider path, mirror prefixes (/antigravity) already removed; Gemini's holds the model and action. */
  upstreamPath: string;
  /** The query string with its "?", or "". */
  search: string;
  headers: IncomingHttpHeaders;
  /**
   * The bytes as received: forwarded unchanged unless the protocol must add something. The parsed body
   * is not kept here: only admission reads it (parseRequest), so a large body's object tree dies young
   * instead of being carried through the request.
   */
  rawBody: Buffer | undefined;
}

/** Watches a response stream on the side; never changes what the client receives. */
export interface StreamObserver {
  push(chunk: Buffer): void;
  /** Usage reported so far (undefined: none yet). */
  readonly usage: Usage | undefined;
  /** performance.now() of the first generated token. */
  readonly firstTokenAt: number | undefined;
  /** The stream reached its protocol's proper end (message_stop, [DONE], response.completed, finishReason). */
  readonly completed: boolean;
  /** An error event inside a 200 stream (for example Anthropic's overloaded_error). */
  readonly streamError: { type: string; message: string } | undefined;
  /** Events seen so far. */
  readonly events: number;
  /**
   * An id a later request may name to continue from this response (OpenAI Responses'
   * previous_response_id): that request must go to the same account, where the response is stored.
   */
  readonly continuation?: string | undefined;
}

export interface ErrorBody {
  contentType: string;
  body: string;
}

export interface Protocol {
  readonly name: string;
  /** How session identity reads the conversation (system/messages or systemInstruction/contents). */
  readonly conversation: SessionProtocol;
  /** `body` is the request's parsed JSON. */
  parseRequest(request: ClientRequest, body: unknown): ParsedRequest | GatewayError;
  upstreamRequest(request: ClientRequest, parsed: ParsedRequest, account: Account): UpstreamRequest;
  errorBody(error: GatewayError): ErrorBody;
  /** The event that ends a stream broken after its first byte: clients must see a failure, not a clean end. */
  streamErrorEvent(message: string): string;
  createStreamObserver(now: () => number): StreamObserver;
  /**
   * A stream's observer is `completed` only at an ending event after which no usage can follow
   * (message_stop, [DONE], response.completed): the relay spools the usage there, before that event
   * reaches the client. Absent (Gemini: a finishReason can precede a last chunk of usage), the relay
   * spools it when the upstream ends.
   */
  readonly completionIsFinal?: true;
  /** Usage of a complete non-streamed JSON response body. */
  usageFromBody(body: unknown): Usage | undefined;
  /** The continuation id of a complete non-streamed response body (see StreamObserver). */
  continuationFromBody?(body: unknown): string | undefined;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };
}

/** A positive whole token limit from untrusted JSON, undefined otherwise. */
export function tokenLimit(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * A non-negative integer token count from untrusted JSON, 0 otherwise, at most MAX_TOKEN_COUNT (the
 * control plane caps again what any data plane reports; capped here, admission's spend arithmetic
 * sees the same count).
 */
export function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0
    ? Math.min(Math.floor(value), MAX_TOKEN_COUNT)
    : 0;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
