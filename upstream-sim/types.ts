import type { IncomingHttpHeaders } from "node:http";

/** The provider surface a request was addressed to. */
export type Protocol = "anthropic" | "openai" | "gemini" | "oauth" | "sim" | "none";

export type Operation =
  | "messages"
  | "count_tokens"
  | "models"
  | "chat_completions"
  | "responses"
  | "generate_content"
  | "stream_generate_content"
  | "oauth_token"
  | "head"
  | "websocket"
  | "control"
  | "not_found";

export type CredentialSource = "x-api-key" | "authorization" | "x-goog-api-key" | "query-key" | "refresh_token";

/** Where a 429 names its reset, in each form real providers use. */
export type RateLimitHint =
  | "anthropic-unified-reset" // header anthropic-ratelimit-unified-reset: <unix seconds>
  | "retry-after" // header retry-after: <seconds>
  | "openai-resets-at" // body error.resets_at: <unix seconds>
  | "openai-resets-in" // body error.resets_in_seconds
  | "gemini-retry-delay" // body error.details[] RetryInfo.retryDelay "12.5s"
  | "gemini-quota-reset-delay" // body error.details[] ErrorInfo.metadata.quotaResetDelay
  | "gemini-message"; // error.message ends "Please retry in 12.5s."

interface StepBase {
  /** How many requests this step applies to (default 1). */
  times?: number;
  /** Milliseconds to wait before the response headers. */
  delayMs?: number;
}

/** One scripted behaviour; each request made with the scripted credential consumes the next step. */
export type FaultStep =
  | (StepBase & { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> })
  | (StepBase & { kind: "rate-limit"; resetSeconds?: number; hints?: RateLimitHint[]; status?: number })
  | (StepBase & { kind: "overloaded"; status?: number })
  | (StepBase & { kind: "invalid-project" })
  | (StepBase & { kind: "empty-stream" })
  | (StepBase & { kind: "cut-stream"; afterEvents: number })
  | (StepBase & { kind: "stream-error"; afterEvents?: number; errorType?: string; message?: string })
  | (StepBase & { kind: "reply"; text?: string; chunks?: number; chunkDelayMs?: number })
  | (StepBase & { kind: "hang" });

export type FaultKind = FaultStep["kind"];

/** How the exchange ended, as the simulator saw it. */
export type Outcome = "pending" | "complete" | "cut" | "aborted";

export interface SimRequest {
  /** Sequence number, from 1. */
  id: number;
  /** Arrival time, epoch milliseconds with sub-millisecond precision. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** All headers as received (node's lower-cased form). */
  headers: IncomingHttpHeaders;
  /** The credential as sent (an API key, a bearer token, or an OAuth refresh token); null when none. */
  credential: string | null;
  credentialSource: CredentialSource | null;
  /** The simulated account the credential belongs to (issued OAuth tokens map to their account). */
  account: string | null;
  /** Parsed JSON (or form fields); the raw text when it is neither; null when empty. */
  body: unknown;
  bodyBytes: number;
  protocol: Protocol;
  operation: Operation;
  /** True for routes mounted under /antigravity. */
  antigravity: boolean;
  model: string | null;
  stream: boolean;
  /** The status sent; null while no response headers have been sent (a hang). */
  status: number | null;
  /** The scripted step applied to this request, if any. */
  fault: FaultStep | null;
  outcome: Outcome;
}

export interface UpstreamSimOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** No log lines on stdout (default true: the simulator prints nothing itself). */
  quiet?: boolean;
  /** Default reply text (default "Hello from upstream-sim."). */
  replyText?: string;
  /** Default number of streamed text chunks; when set, the reply text is repeated once per chunk. */
  chunks?: number;
  /** Default delay between streamed text chunks, ms (default 0). */
  chunkDelayMs?: number;
  /**
   * Start every stream write that follows a pause with an SSE comment `: sent-at <ns>`, the write's
   * time on the machine's monotonic clock (process.hrtime), so a client on the same machine can tell
   * how late each chunk reached it (default false).
   */
  stampChunks?: boolean;
  /** How many requests the log keeps, oldest dropped first (default 5000; 0 keeps none). */
  logLimit?: number;
  /** Lifetime of access tokens issued by POST /oauth/token, seconds (default 3600). */
  oauthExpiresInSeconds?: number;
}

export interface UpstreamSim {
  url: string;
  port: number;
  /** The request log, oldest first. */
  requests(): SimRequest[];
  clearRequests(): void;
  /** Queue behaviours for requests made with this credential (or any credential of its account). */
  script(credential: string, steps: FaultStep[]): void;
  /** Make `credential` count as the simulated account `account` (e.g. an OAuth refresh token as its access token). */
  linkCredential(credential: string, account: string): void;
  /** Clear scripts, log, prompt caches and OAuth state. */
  reset(): void;
  close(): Promise<void>;
}

/** Token usage of one simulated completion. `inputTokens` counts the whole prompt, cached parts included. */
export interface SimUsage {
  inputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
}

/** What a protocol renders: one answer with its usage. */
export interface Completion {
  id: string;
  model: string;
  created: number;
  text: string;
  /** The text split into the pieces a stream sends, in order; joined they equal `text`. */
  pieces: string[];
  usage: SimUsage;
}
