import { beforeAll, describe, expect, it } from "vitest";
import { loadCapture, loadCaptures } from "../policy/captures.fixture.js";
import type { RequestView } from "../policy/request-view.js";
import {
  conversationDigest,
  explicitSessionId,
  initSessionHasher,
  type SessionContext,
  type SessionHasher,
  type SessionProtocol,
  sessionIdentity,
} from "./session-identity.js";

let hasher: SessionHasher;
beforeAll(async () => {
  hasher = await initSessionHasher();
});

const CONTEXT: SessionContext = { clientIp: "203.0.113.7", apiKeyId: "key-1" };

function protocolOf(path: string): SessionProtocol {
  if (path.startsWith("/v1beta/")) return "gemini";
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (path.startsWith("/v1/responses")) return "openai-responses";
  return "openai-chat";
}

function digest(view: RequestView, protocol: SessionProtocol, context = CONTEXT): string[] {
  return conversationDigest(view, protocol, context, hasher).chain;
}

function request(body: unknown, headers: Record<string, string> = { "user-agent": "test-client/1.0" }): RequestView {
  return { path: "/", query: new URLSearchParams(), headers, body };
}

const clone = <T>(value: T): T => structuredClone(value);

describe("sessionIdentity on the captures", () => {
  const CC = "x-claude-code-session-id";
  const expected: Record<string, [string, string] | "digest"> = {
    "claude-code-1": ["940c45a1-fc32-4c4d-a03d-c0bc350d0178", CC],
    "claude-code-2": ["e293e0d8-ae91-40f4-ad9b-aeeaf59d3dfd", CC],
    "claude-code-3": ["8115bb06-a80c-4904-8603-28bf42cd4d0b", CC],
    "claude-code-4": ["da187bc5-d02c-477d-8409-4468adbec80e", CC],
    "codex-1": ["01a21f18-092f-7db0-b9df-de325d94a1b4", "session-id"],
    "codex-2": ["01a21f18-092f-7db0-b9df-de325d94a1b4", "session-id"],
    "codex-3": ["01a21f17-d392-7c70-b27d-cc4784af41e3", "session-id"],
    "codex-4": ["01a21f17-d392-7c70-b27d-cc4784af41e3", "session-id"],
  };
  for (const capture of loadCaptures()) {
    const want = expected[capture.name] ?? "digest";
    it(`${capture.name} -> ${want === "digest" ? "digest" : want.join(" from ")}`, () => {
      const identity = sessionIdentity(capture.view, protocolOf(capture.view.path), CONTEXT, hasher);
      if (want === "digest") {
        expect(identity.kind).toBe("digest");
        if (identity.kind === "digest") expect(identity.chain.every((h) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
      } else {
        expect(identity).toEqual({ kind: "explicit", id: want[0], source: want[1] });
      }
    });
  }

  it("Claude Code's metadata.user_id names the same session as its header", () => {
    for (const name of ["claude-code-1", "claude-code-2", "claude-code-3", "claude-code-4"]) {
      const { view } = loadCapture(name);
      const { "x-claude-code-session-id": header, ...rest } = view.headers;
      expect(explicitSessionId({ ...view, headers: rest })).toEqual({
        kind: "explicit",
        id: header,
        source: "metadata.user_id",
      });
    }
  });

  it("a resumed Codex run keeps its session; separate Claude Code runs do not share one", () => {
    const id = (name: string) => explicitSessionId(loadCapture(name).view)?.id;
    expect(id("codex-2")).toBe(id("codex-1"));
    // claude-code-2 continues a run that was not captured (its description says so): new session id.
    expect(id("claude-code-2")).not.toBe(id("claude-code-1"));
  });

  it("Codex's body prompt_cache_key agrees with its session header", () => {
    const { view } = loadCapture("codex-1");
    const headers = { "user-agent": view.headers["user-agent"] ?? "" };
    expect(explicitSessionId({ ...view, headers })).toEqual({
      kind: "explicit",
      id: "01a21f18-092f-7db0-b9df-de325d94a1b4",
      source: "prompt_cache_key",
    });
  });
});

describe("explicitSessionId precedence", () => {
  const USER_ID = JSON.stringify({
    device_id: "5d480813eab6098ec9a159b7a849d7f07090be36e5b9a3b46f8220d3dae8563f",
    account_uuid: "",
    session_id: "11111111-2222-4333-8444-555555555555",
  });
  const table: Array<[string, Record<string, string>, unknown, string | undefined, string | undefined]> = [
    [
      "Claude Code header first",
      { "x-claude-code-session-id": "cc", "session-id": "s" },
      { metadata: { user_id: USER_ID } },
      "cc",
      "x-claude-code-session-id",
    ],
    [
      "then metadata.user_id",
      { "session-id": "s" },
      { metadata: { user_id: USER_ID } },
      "11111111-2222-4333-8444-555555555555",
      "metadata.user_id",
    ],
    [
      "an SDK user_id is not a session",
      { "session-id": "s" },
      { metadata: { user_id: "sdk-user" } },
      "s",
      "session-id",
    ],
    ["session-id before thread-id", { "thread-id": "t", "session-id": "s" }, {}, "s", "session-id"],
    ["thread-id", { "thread-id": "t" }, {}, "t", "thread-id"],
    ["older session_id", { session_id: "s_", conversation_id: "c" }, {}, "s_", "session_id"],
    ["older conversation_id", { conversation_id: "c" }, {}, "c", "conversation_id"],
    ["headers before prompt_cache_key", { "thread-id": "t" }, { prompt_cache_key: "p" }, "t", "thread-id"],
    ["prompt_cache_key", {}, { prompt_cache_key: " p " }, "p", "prompt_cache_key"],
    [
      "previous_response_id before everything (the stored response lives on one account)",
      { "x-claude-code-session-id": "cc", "session-id": "s" },
      { previous_response_id: "resp_1", prompt_cache_key: "p" },
      "resp_1",
      "previous_response_id",
    ],
    ["blank header is skipped", { "x-claude-code-session-id": "  ", "session-id": "s" }, {}, "s", "session-id"],
    ["overlong id is skipped", { "session-id": "x".repeat(257) }, { prompt_cache_key: "p" }, "p", "prompt_cache_key"],
    ["256 characters is fine", { "session-id": "x".repeat(256) }, {}, "x".repeat(256), "session-id"],
    ["non-string prompt_cache_key", {}, { prompt_cache_key: 42 }, undefined, undefined],
    ["nothing", {}, { messages: [] }, undefined, undefined],
    ["no body", {}, undefined, undefined, undefined],
  ];
  it.each(table)("%s", (_name, headers, body, id, source) => {
    const found = explicitSessionId(request(body, headers));
    expect(found?.id).toBe(id);
    expect(found?.source).toBe(source);
  });
});

// One conversation per protocol, and its next turn as the client would send it.
interface Conversation {
  protocol: SessionProtocol;
  turn: unknown;
  next: unknown;
}

function anthropicTurns(): Conversation {
  const turn = clone(loadCapture("claude-code-1").view.body) as {
    system: Array<{ text: string }>;
    messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  };
  const next = clone(turn);
  // Claude Code's billing header changes every request, and the cache breakpoint moves to the new turn.
  (next.system[0] as { text: string }).text =
    "x-anthropic-billing-header: cc_version=2.1.197.ffc; cc_entrypoint=sdk-cli;";
  const lastBlock = next.messages[0]?.content.at(-1) as Record<string, unknown>;
  delete lastBlock.cache_control;
  next.messages.push({ role: "assistant", content: [{ type: "text", text: "OK" }] });
  next.messages.push({
    role: "user",
    content: [{ type: "text", text: "and once more", cache_control: { type: "ephemeral" } }],
  });
  return { protocol: "anthropic", turn, next };
}

function chatTurns(): Conversation {
  const turn = {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
      { role: "user", content: "How far is the moon?" },
    ],
  };
  const next = clone(turn);
  next.messages.push({ role: "assistant", content: "384,400 km." } as never);
  next.messages.push({ role: "user", content: "And the sun?" });
  return { protocol: "openai-chat", turn, next };
}

function responsesTurns(): Conversation {
  // A real continuation: `codex exec resume --last` replays the first run's input and the answer.
  return {
    protocol: "openai-responses",
    turn: loadCapture("codex-1").view.body,
    next: loadCapture("codex-2").view.body,
  };
}

function geminiTurns(): Conversation {
  const turn = clone(loadCapture("gemini-cli-2").view.body) as { contents: unknown[] };
  const next = clone(turn);
  next.contents.push({ role: "model", parts: [{ text: "Resumed." }] });
  next.contents.push({ role: "user", parts: [{ text: "go on" }] });
  return { protocol: "gemini", turn, next };
}

const conversations = [anthropicTurns(), chatTurns(), responsesTurns(), geminiTurns()];
const UA = { "user-agent": "client/1.0" };

describe("conversationDigest", () => {
  it.each(conversations)("$protocol: a turn's chain is a prefix of its continuation's", ({ protocol, turn, next }) => {
    const first = digest(request(turn, UA), protocol);
    const second = digest(request(next, UA), protocol);
    expect(first.length).toBeGreaterThan(1);
    expect(second.length).toBe(first.length + 2);
    expect(second.slice(0, first.length)).toEqual(first);
  });

  it("codex-1 and codex-2 chain as captured, with their real headers", () => {
    const first = digest(loadCapture("codex-1").view, "openai-responses");
    const second = digest(loadCapture("codex-2").view, "openai-responses");
    expect(second.slice(0, first.length)).toEqual(first);
    expect(second).toHaveLength(first.length + 2);
  });

  it.each(conversations)(
    "$protocol: another client IP, User-Agent or key gives another chain",
    ({ protocol, turn }) => {
      const base = digest(request(turn, UA), protocol);
      const others = [
        digest(request(turn, UA), protocol, { ...CONTEXT, clientIp: "198.51.100.1" }),
        digest(request(turn, { "user-agent": "client/1.1" }), protocol),
        digest(request(turn, {}), protocol),
        digest(request(turn, UA), protocol, { ...CONTEXT, apiKeyId: "key-2" }),
      ];
      for (const other of others) {
        expect(other).toHaveLength(base.length);
        for (const [i, element] of other.entries()) expect(element).not.toBe(base[i]);
      }
    },
  );

  it.each(conversations)("$protocol: the same request hashes the same every time", ({ protocol, next }) => {
    expect(digest(request(clone(next), UA), protocol)).toEqual(digest(request(next, UA), protocol));
  });

  it.each(conversations)("$protocol: a different turn changes the chain from that turn on", ({ protocol, next }) => {
    const changed = clone(next) as Record<string, unknown[]>;
    const key = protocol === "gemini" ? "contents" : protocol === "openai-responses" ? "input" : "messages";
    const turns = changed[key] as unknown[];
    turns[turns.length - 1] =
      protocol === "gemini" ? { role: "user", parts: [{ text: "stop" }] } : { role: "user", content: "stop" };
    const base = digest(request(next, UA), protocol);
    const other = digest(request(changed, UA), protocol);
    expect(other.slice(0, -1)).toEqual(base.slice(0, -1));
    expect(other.at(-1)).not.toBe(base.at(-1));
  });

  it("moving cache_control changes nothing", () => {
    const body = {
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "a", cache_control: { type: "ephemeral" } }] },
        { role: "assistant", content: [{ type: "text", text: "b" }] },
        { role: "user", content: [{ type: "text", text: "c" }] },
      ],
    };
    const moved = {
      system: [{ type: "text", text: "sys" }],
      messages: [
        { role: "user", content: [{ type: "text", text: "a" }] },
        { role: "assistant", content: [{ type: "text", text: "b", cache_control: { type: "ephemeral", ttl: "1h" } }] },
        { role: "user", content: [{ type: "text", text: "c", cache_control: { type: "ephemeral" } }] },
      ],
    };
    expect(digest(request(moved), "anthropic")).toEqual(digest(request(body), "anthropic"));
  });

  // Tool input with 20 keys, in the given order (the digest sorts them).
  const keys20 = Array.from({ length: 20 }, (_, i) => `k${String.fromCharCode(122 - i)}${i}`);
  const turnWith = (keys: string[]) => ({
    role: "assistant",
    content: [{ type: "tool_use", id: "t", name: "n", input: Object.fromEntries(keys.map((k) => [k, k])) }],
  });
  const sameHash: Array<[string, SessionProtocol, unknown, unknown]> = [
    [
      "anthropic string vs block content",
      "anthropic",
      { system: "sys", messages: [{ role: "user", content: "hi" }] },
      {
        system: [{ type: "text", text: "sys" }],
        messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      },
    ],
    [
      "anthropic key order",
      "anthropic",
      { messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
      { messages: [{ content: [{ text: "hi", type: "text" }], role: "user" }] },
    ],
    [
      "anthropic key order, in small objects and in one past the insertion-sort limit",
      "anthropic",
      {
        messages: [
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "x" }] },
          turnWith(keys20),
        ],
      },
      {
        messages: [
          { content: [{ content: "x", tool_use_id: "t", type: "tool_result" }], role: "user" },
          turnWith([...keys20].reverse()),
        ],
      },
    ],
    [
      "anthropic billing header block is not prompt",
      "anthropic",
      {
        system: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=1.123;" },
          { type: "text", text: "sys" },
        ],
      },
      {
        system: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=1.ffc;" },
          { type: "text", text: "sys" },
        ],
      },
    ],
    [
      "chat string vs parts",
      "openai-chat",
      {
        messages: [
          { role: "system", content: "s" },
          { role: "user", content: "hi" },
        ],
      },
      {
        messages: [
          { role: "system", content: [{ type: "text", text: "s" }] },
          { role: "user", content: [{ type: "text", text: "hi" }] },
        ],
      },
    ],
    [
      "responses string input vs message item",
      "openai-responses",
      { instructions: "s", input: "hi" },
      { instructions: "s", input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }] },
    ],
    [
      "responses easy message vs item with id",
      "openai-responses",
      { input: [{ role: "user", content: "hi" }] },
      { input: [{ id: "msg_1", type: "message", status: "completed", role: "user", content: "hi" }] },
    ],
    [
      "gemini instruction role is ignored",
      "gemini",
      { systemInstruction: { parts: [{ text: "s" }] }, contents: [{ role: "user", parts: [{ text: "hi" }] }] },
      {
        systemInstruction: { role: "user", parts: [{ text: "s" }] },
        contents: [{ parts: [{ text: "hi" }], role: "user" }],
      },
    ],
  ];
  it.each(sameHash)("%s hash the same", (_name, protocol, a, b) => {
    expect(digest(request(a), protocol)).toEqual(digest(request(b), protocol));
  });

  const differentHash: Array<[string, SessionProtocol, unknown, unknown]> = [
    ["another system prompt", "anthropic", { system: "a", messages: [] }, { system: "b", messages: [] }],
    [
      "another role",
      "anthropic",
      { messages: [{ role: "user", content: "x" }] },
      { messages: [{ role: "assistant", content: "x" }] },
    ],
    [
      "responses instructions",
      "openai-responses",
      { instructions: "a", input: "x" },
      { instructions: "b", input: "x" },
    ],
    [
      "chat system message",
      "openai-chat",
      { messages: [{ role: "system", content: "a" }] },
      { messages: [{ role: "system", content: "b" }] },
    ],
    [
      "gemini system instruction",
      "gemini",
      { systemInstruction: { parts: [{ text: "a" }] } },
      { systemInstruction: { parts: [{ text: "b" }] } },
    ],
  ];
  it.each(differentHash)("%s hashes differently", (_name, protocol, a, b) => {
    expect(digest(request(a), protocol).at(-1)).not.toBe(digest(request(b), protocol).at(-1));
  });

  it("system and developer messages lead the chat chain as its element 0", () => {
    const chain = digest(request(chatTurns().turn), "openai-chat");
    expect(chain).toHaveLength(2);
  });

  it("a body without a conversation gives element 0 only", () => {
    expect(digest(request(undefined), "anthropic")).toHaveLength(1);
    expect(digest(request("text"), "gemini")).toHaveLength(1);
    expect(digest(request({ messages: "nope" }), "openai-chat")).toHaveLength(1);
  });

  it("survives absurdly deep nesting", () => {
    const depth = 100_000;
    const body = JSON.parse(`{"messages":[{"role":"user","content":${"[".repeat(depth)}${"]".repeat(depth)}}]}`);
    expect(digest(request(body), "anthropic")).toHaveLength(2);
  });

  it("the same context and prompt on two protocols give different chains", () => {
    const body = { messages: [{ role: "user", content: "hi" }] };
    expect(digest(request(body), "anthropic")).not.toEqual(digest(request(body), "openai-chat"));
  });
});

// The captures cut long strings to 400 + 200 characters and say how long they were; restore the
// lengths so the measured body is the size Claude Code really sent.
function restoreTruncated(value: unknown): unknown {
  if (typeof value === "string") {
    return value.replace(/\n?…\[TRUNCATED (\d+) of \d+ chars\]…\n?/, (_m, cut: string) => "x".repeat(Number(cut)));
  }
  if (Array.isArray(value)) return value.map(restoreTruncated);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreTruncated(v)]));
  }
  return value;
}

describe("cost on claude-code-1 (printed, never asserted)", () => {
  it("measures the explicit-id and digest paths", () => {
    const { view } = loadCapture("claude-code-1");
    const body = restoreTruncated(view.body) as Record<string, unknown>;
    const restored = { ...view, body };
    const hashed = JSON.stringify({ system: body.system, messages: body.messages }).length;
    const time = (label: string, run: () => unknown) => {
      for (let i = 0; i < 50; i++) run();
      const rounds = 500;
      const start = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) run();
      const micros = Number(process.hrtime.bigint() - start) / 1000 / rounds;
      console.log(`session identity, ${label}: ${micros.toFixed(1)} µs per request`);
    };
    console.log(`claude-code-1: body ${JSON.stringify(body).length} chars, system + messages ${hashed} chars`);
    time("explicit id (what Claude Code takes)", () => sessionIdentity(restored, "anthropic", CONTEXT, hasher));
    time("digest chain of the same body", () => conversationDigest(restored, "anthropic", CONTEXT, hasher));
  });
});
