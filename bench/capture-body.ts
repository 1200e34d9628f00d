import { readFileSync } from "node:fs";

// The 76 KB Claude Code request, rebuilt from its redacted capture (/work/shared/captures): the capture
// cut every long string to its first 400 and last 200 characters and dropped all but two tool schemas,
// leaving a marker with the original size. Refilling each cut to that size gives a body of the size
// Claude Code really sent, so parsing, hashing and forwarding cost what they would in production.

const TRUNCATED = /\n…\[TRUNCATED (\d+) of \d+ chars\]…\n/;
const SCHEMA_OMITTED = /^<schema omitted: (\d+) bytes>$/;
const PROSE = "Use this tool when the task needs it; read the result before answering and say what you did. ";

/** Plain ASCII prose of exactly this length. */
export function filler(length: number): string {
  return PROSE.repeat(Math.ceil(length / PROSE.length)).slice(0, length);
}

/** A JSON schema whose serialised form is `bytes` long (or as short as a schema can be). */
export function schemaOfSize(bytes: number): Record<string, unknown> {
  const shell = (text: string) => ({
    type: "object",
    properties: { input: { type: "string", description: text } },
  });
  const overhead = JSON.stringify(shell("")).length;
  return shell(filler(Math.max(0, bytes - overhead)));
}

/** Undoes the capture's redaction of sizes (not of content): cut strings and omitted schemas regain their length. */
export function restoreCapture(value: unknown): unknown {
  if (typeof value === "string") {
    const schema = SCHEMA_OMITTED.exec(value);
    if (schema) return schemaOfSize(Number(schema[1]));
    return value.replace(TRUNCATED, (_marker, cut: string) => filler(Number(cut)));
  }
  if (Array.isArray(value)) return value.map(restoreCapture);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, restoreCapture(v)]));
  }
  return value;
}

export interface CapturedRequest {
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The body size the client really sent. */
  recordedBytes: number;
}

export function loadCapturedRequest(path: string): CapturedRequest {
  const raw = JSON.parse(readFileSync(path, "utf8")) as {
    headers: Record<string, string>;
    body: Record<string, unknown>;
    bodyBytes: number;
  };
  return {
    headers: raw.headers,
    body: restoreCapture(raw.body) as Record<string, unknown>,
    recordedBytes: raw.bodyBytes,
  };
}

interface AnthropicBlock {
  type?: string;
  text?: string;
}

function plainText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as AnthropicBlock[])
    .filter((block) => typeof block.text === "string")
    .map((block) => block.text)
    .join("\n\n");
}

/** The same conversation as an OpenAI chat completions request: system text, turns and tools carried over. */
export function toOpenAiChat(anthropic: Record<string, unknown>, model: string): Record<string, unknown> {
  const turns = Array.isArray(anthropic.messages)
    ? (anthropic.messages as Array<{ role: string; content: unknown }>)
    : [];
  const tools = Array.isArray(anthropic.tools)
    ? (anthropic.tools as Array<{ name: string; description?: string; input_schema?: unknown }>)
    : [];
  return {
    model,
    stream: true,
    max_completion_tokens: anthropic.max_tokens,
    messages: [
      { role: "system", content: plainText(anthropic.system) },
      ...turns.map((turn) => ({ role: turn.role, content: plainText(turn.content) })),
    ],
    tools: tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description ?? "", parameters: tool.input_schema ?? {} },
    })),
  };
}
