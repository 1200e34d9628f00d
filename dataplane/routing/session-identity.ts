import xxhash, { type XXHashAPI } from "xxhash-wasm";
import { BILLING_HEADER } from "../policy/claude-code.js";
import { parseClaudeCodeUserId } from "../policy/claude-code-user-id.js";
import { isRecord, type RequestView } from "../policy/request-view.js";

// Session identity (DESIGN §5.5): which conversation a request continues, so sticky routing keeps
// it on the account whose prompt cache is warm.
//  1. An explicit id when the client sends one (Claude Code, Codex, prompt_cache_key).
//  2. Otherwise a digest chain of the conversation: element 0 hashes the session context (protocol,
//     client IP, User-Agent, key id) with the system prompt; element i hashes turn i seeded with
//     element i-1 (XXH64's seed chains them without concatenating strings). A conversation's chain is
//     therefore a prefix of its continuation's, and the store matches the longest stored prefix.
// Turns are hashed in a canonical form: keys sorted (clients reorder them), `cache_control` dropped
// (the breakpoint moves to the newest turn every request), string content read as one text block.

export type SessionProtocol = "anthropic" | "openai-chat" | "openai-responses" | "gemini";

export type SessionHasher = Pick<XXHashAPI, "h64">;

let hasher: Promise<SessionHasher> | undefined;

/** Loads the XXH64 WebAssembly module once; await it at startup, then hashing is synchronous. */
export function initSessionHasher(): Promise<SessionHasher> {
  hasher ??= xxhash();
  return hasher;
}

export type ExplicitSessionSource =
  | "previous_response_id"
  | "x-claude-code-session-id"
  | "metadata.user_id"
  | "session-id"
  | "thread-id"
  | "session_id"
  | "conversation_id"
  | "prompt_cache_key";

export interface ExplicitSession {
  kind: "explicit";
  id: string;
  source: ExplicitSessionSource;
}

export interface DigestSession {
  kind: "digest";
  /** 16-hex-digit XXH64 values: [context + system, turn 1, turn 2, ...]. */
  chain: string[];
}

export type SessionIdentity = ExplicitSession | DigestSession;

/** Who is talking, mixed into element 0 so identical prompts from different users never share a session. */
export interface SessionContext {
  clientIp: string;
  apiKeyId: string;
}

// Codex sends hyphenated headers; older Codex releases used the underscore names.
const SESSION_HEADERS = ["session-id", "thread-id", "session_id", "conversation_id"] as const;
// Ids become store keys: an unbounded client string must not.
const MAX_ID_LENGTH = 256;

function usableId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const id = value.trim();
  return id !== "" && id.length <= MAX_ID_LENGTH ? id : undefined;
}

/** The session id the client names itself, if any. */
export function explicitSessionId(view: RequestView): ExplicitSession | undefined {
  const body = isRecord(view.body) ? view.body : undefined;
  // A Responses request continuing a stored response must reach the account that stored it: the
  // response's id was bound to that account when it was served.
  const previous = usableId(body?.previous_response_id);
  if (previous) return { kind: "explicit", id: previous, source: "previous_response_id" };
  const claudeCode = usableId(view.headers["x-claude-code-session-id"]);
  if (claudeCode) return { kind: "explicit", id: claudeCode, source: "x-claude-code-session-id" };
  if (body && isRecord(body.metadata)) {
    const userId = parseClaudeCodeUserId(body.metadata.user_id);
    if (userId) return { kind: "explicit", id: userId.sessionId, source: "metadata.user_id" };
  }
  for (const header of SESSION_HEADERS) {
    const id = usableId(view.headers[header]);
    if (id) return { kind: "explicit", id, source: header };
  }
  const promptCacheKey = usableId(body?.prompt_cache_key);
  if (promptCacheKey) return { kind: "explicit", id: promptCacheKey, source: "prompt_cache_key" };
  return undefined;
}

/** Top-level fields of a turn left out of its hash. */
type Skip = (key: string, value: unknown) => boolean;

const SKIP_NOTHING: Skip = () => false;
// Responses items: ids and status are server-assigned and clients differ in replaying them; a
// message item may come with or without `type: "message"`.
const SKIP_RESPONSES_ITEM: Skip = (key, value) =>
  key === "id" || key === "status" || (key === "type" && value === "message");

// The canonical form is only ever hashed, never parsed, so it needs to be unambiguous, not JSON:
// strings are length-prefixed instead of escaped, which costs nothing on long prompts.
function str(text: string): string {
  return `"${text.length}:${text}`;
}

const TEXT_TYPE = `${str("type")}:${str("text")}`;

function textBlock(text: string): string {
  return `{${str("text")}:${str(text)},${TEXT_TYPE}}`;
}

// JSON.parse accepts nesting far deeper than a recursive walk survives; real turns are ~6 deep, and
// what lies deeper still routes well enough hashed as one placeholder.
const MAX_DEPTH = 64;

// Insertion sort is quadratic: a body may hold an object with any number of keys.
const INSERTION_SORT_MAX = 16;

/**
 * The keys in Array.prototype.sort's order (UTF-16 code units); a few by insertion: a turn's objects
 * have a handful of keys, and sort() copied each array into a work array of its own first.
 */
function sortInPlace(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/** Sorted keys, no cache_control, "content": "x" as one text block, input_text/output_text as text. */
function canonical(value: unknown, skip: Skip = SKIP_NOTHING, depth = 0): string {
  if (typeof value === "string") return str(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (depth === MAX_DEPTH) return "…";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonical(value[i], SKIP_NOTHING, depth + 1);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(record));
  let out = "{";
  let first = true;
  for (const key of keys) {
    const field = record[key];
    if (field === undefined || key === "cache_control" || skip(key, field)) continue;
    let text: string;
    if (key === "content" && typeof field === "string") text = `[${textBlock(field)}]`;
    else if (key === "type" && (field === "input_text" || field === "output_text")) text = str("text");
    else text = canonical(field, SKIP_NOTHING, depth + 1);
    out += `${first ? "" : ","}${str(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/** A system prompt or content given as a string or as blocks, in the block form. */
function blocks(value: unknown): unknown[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return Array.isArray(value) ? value : [];
}

function isSystemRole(item: unknown): boolean {
  return isRecord(item) && (item.role === "system" || item.role === "developer");
}

interface Conversation {
  system: string;
  turns: string[];
}

/** Leading system/developer messages are the system prompt; everything after is a turn. */
function splitLeadingSystem(items: unknown[], skip: Skip, system: string): Conversation {
  let i = 0;
  while (i < items.length && isSystemRole(items[i])) system += canonical(items[i++], skip);
  const turns: string[] = [];
  for (; i < items.length; i++) turns.push(canonical(items[i], skip));
  return { system, turns };
}

function anthropicConversation(body: Record<string, unknown>): Conversation {
  // Claude Code's billing-header block changes on every request; it is metadata, not prompt.
  const system = blocks(body.system).filter(
    (block) => !(isRecord(block) && typeof block.text === "string" && block.text.startsWith(BILLING_HEADER)),
  );
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return { system: canonical(system), turns: messages.map((message) => canonical(message)) };
}

function responsesConversation(body: Record<string, unknown>): Conversation {
  const instructions = canonical(blocks(body.instructions));
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input;
  return splitLeadingSystem(Array.isArray(input) ? input : [], SKIP_RESPONSES_ITEM, instructions);
}

function geminiConversation(body: Record<string, unknown>): Conversation {
  const instruction = body.systemInstruction;
  // Only the parts: the instruction's role is optional and clients fill it differently.
  const parts = isRecord(instruction) ? instruction.parts : typeof instruction === "string" ? blocks(instruction) : [];
  const contents = Array.isArray(body.contents) ? body.contents : [];
  return { system: canonical(parts ?? []), turns: contents.map((content) => canonical(content)) };
}

function conversationOf(body: Record<string, unknown>, protocol: SessionProtocol): Conversation {
  switch (protocol) {
    case "anthropic":
      return anthropicConversation(body);
    case "openai-chat":
      return splitLeadingSystem(Array.isArray(body.messages) ? body.messages : [], SKIP_NOTHING, "");
    case "openai-responses":
      return responsesConversation(body);
    case "gemini":
      return geminiConversation(body);
  }
}

function hex(value: bigint): string {
  return value.toString(16).padStart(16, "0");
}

/** The digest chain of the conversation in the body (element 0 alone when there is none). */
export function conversationDigest(
  view: RequestView,
  protocol: SessionProtocol,
  context: SessionContext,
  hash: SessionHasher,
): DigestSession {
  const conversation = isRecord(view.body) ? conversationOf(view.body, protocol) : { system: "", turns: [] };
  const who = `${protocol}\n${context.clientIp}\n${view.headers["user-agent"] ?? ""}\n${context.apiKeyId}`;
  let element = hash.h64(conversation.system, hash.h64(who));
  const chain = [hex(element)];
  for (const turn of conversation.turns) {
    element = hash.h64(turn, element);
    chain.push(hex(element));
  }
  return { kind: "digest", chain };
}

/** The explicit id when the client sends one, else the conversation's digest chain. */
export function sessionIdentity(
  view: RequestView,
  protocol: SessionProtocol,
  context: SessionContext,
  hash: SessionHasher,
): SessionIdentity {
  return explicitSessionId(view) ?? conversationDigest(view, protocol, context, hash);
}
