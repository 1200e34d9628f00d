import { loadCapturedRequest, toOpenAiChat } from "./capture-body.js";

// The requests the load generators send: each surface with a small body and with Claude Code's 76 KB
// one. Auth is added per contender (the sim takes any credential, Tollgate its own keys).

export type WireProtocol = "anthropic" | "openai";

export interface Workload {
  name: string;
  protocol: WireProtocol;
  path: string;
  stream: boolean;
  large: boolean;
  headers: Record<string, string>;
  body: Buffer;
  /** A complete answer contains this text (checked once per contender before measuring). */
  completeMarker: string;
  /** Sent with a new value on every request, so each is a new conversation (routing finds no binding). */
  sessionHeader?: string;
}

const SMALL_ANTHROPIC = {
  model: "claude-sonnet-4-5",
  max_tokens: 256,
  messages: [{ role: "user", content: "Say hello." }],
};
const SMALL_OPENAI = { model: "gpt-4.1-mini", stream: true, messages: [{ role: "user", content: "Say hello." }] };
const SDK_ANTHROPIC_HEADERS = {
  "content-type": "application/json",
  accept: "application/json",
  "anthropic-version": "2023-06-01",
};
const SDK_OPENAI_HEADERS = { "content-type": "application/json", accept: "application/json" };
// Connection-level and credential headers of the capture are the load generator's own business.
const NOT_REPLAYED = new Set(["host", "content-length", "connection", "accept-encoding", "x-api-key", "authorization"]);

export function authHeaders(protocol: WireProtocol, secret: string): Record<string, string> {
  return protocol === "anthropic" ? { "x-api-key": secret } : { authorization: `Bearer ${secret}` };
}

export function buildWorkloads(capturePath: string): Workload[] {
  const capture = loadCapturedRequest(capturePath);
  const captureHeaders = Object.fromEntries(
    Object.entries(capture.headers).filter(([name]) => !NOT_REPLAYED.has(name.toLowerCase())),
  );
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const anthropic = (name: string, stream: boolean, large: boolean, headers: Record<string, string>, body: object) => ({
    name,
    protocol: "anthropic" as const,
    path: "/v1/messages",
    stream,
    large,
    headers,
    body: json({ ...body, stream }),
    completeMarker: stream ? "event: message_stop" : '"stop_reason":"end_turn"',
  });
  const openai = (name: string, large: boolean, body: object) => ({
    name,
    protocol: "openai" as const,
    path: "/v1/chat/completions",
    stream: true,
    large,
    headers: large ? { ...SDK_OPENAI_HEADERS, "user-agent": "OpenAI/JS 6.49.0" } : SDK_OPENAI_HEADERS,
    body: json(body),
    completeMarker: "data: [DONE]",
  });
  return [
    anthropic("anthropic", false, false, SDK_ANTHROPIC_HEADERS, SMALL_ANTHROPIC),
    anthropic("anthropic-stream", true, false, SDK_ANTHROPIC_HEADERS, SMALL_ANTHROPIC),
    openai("openai-stream", false, SMALL_OPENAI),
    // Every other workload repeats one conversation; this one starts a new one each time.
    {
      ...anthropic("anthropic-new-session", false, false, SDK_ANTHROPIC_HEADERS, SMALL_ANTHROPIC),
      sessionHeader: "x-claude-code-session-id",
    },
    anthropic("anthropic-76k", false, true, captureHeaders, capture.body),
    anthropic("anthropic-stream-76k", true, true, captureHeaders, capture.body),
    openai("openai-stream-76k", true, toOpenAiChat(capture.body, "gpt-4.1")),
  ];
}
