import { describe, expect, it } from "vitest";
import { loadCapture, loadCaptures } from "./captures.fixture.js";
import { type ClaudeCodeCheck, detectClaudeCode } from "./claude-code.js";
import type { RequestView } from "./request-view.js";

const captures = loadCaptures();
const claudeCode = loadCapture("claude-code-1").view;
const ccBody = claudeCode.body as Record<string, unknown>;
const ccSystem = ccBody.system as Array<{ text: string }>;

function variant(change: {
  path?: string;
  drop?: string[];
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}): RequestView {
  const headers: Record<string, string | undefined> = { ...claudeCode.headers, ...change.headers };
  for (const name of change.drop ?? []) delete headers[name];
  return { ...claudeCode, path: change.path ?? claudeCode.path, headers, body: { ...ccBody, ...change.body } };
}

const SDK_HEADERS = { "user-agent": "Anthropic/JS 1.14.0", "anthropic-version": "2023-06-01" };
const sdkCall = (
  headers: Record<string, string>,
  body: Record<string, unknown>,
  path = "/v1/messages",
): RequestView => ({
  path,
  query: new URLSearchParams(),
  headers: { ...SDK_HEADERS, ...headers },
  body: { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }], ...body },
});
const withHeaders = (request: RequestView, headers: Record<string, string>): RequestView => ({
  ...request,
  headers: { ...request.headers, ...headers },
});
const CC_UA = { "user-agent": "claude-cli/2.1.197 (external, cli)" };
const CC_HEADERS = {
  ...CC_UA,
  "x-app": "cli",
  "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
  "x-claude-code-session-id": "940c45a1-fc32-4c4d-a03d-c0bc350d0178",
};
const IDENTITY = [{ type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." }];
const DEVICE = "5d480813eab6098ec9a159b7a849d7f07090be36e5b9a3b46f8220d3dae8563f";
const LEGACY_USER_ID = `user_${DEVICE}_account__session_940c45a1-fc32-4c4d-a03d-c0bc350d0178`;

describe("detectClaudeCode on the captures", () => {
  for (const capture of captures) {
    const isClaudeCode = capture.name.startsWith("claude-code-");
    it(`${capture.name} ${isClaudeCode ? "is" : "is not"} Claude Code`, () => {
      const detection = detectClaudeCode(capture.view);
      expect(detection.isClaudeCode).toBe(isClaudeCode);
      if (isClaudeCode) {
        // every real request carries all six markers: the threshold has room to spare
        expect(detection.reasons).toEqual([
          "user_agent",
          "x_app",
          "beta",
          "session_header",
          "system_prompt",
          "metadata_user_id",
        ]);
        expect(detection.failed).toBeUndefined();
      } else {
        expect(detection.failed).toBe("user_agent");
      }
    });
  }
});

describe("detectClaudeCode", () => {
  const table: Array<[string, RequestView, ClaudeCodeCheck | "pass"]> = [
    // Claude Code reshaping markers between releases must not lock it out
    ["no billing header block", variant({ body: { system: ccSystem.slice(1) } }), "pass"],
    ["no system marker at all", variant({ body: { system: ccSystem.slice(2) } }), "pass"],
    ["legacy metadata.user_id", variant({ body: { metadata: { user_id: LEGACY_USER_ID } } }), "pass"],
    ["unknown metadata shape", variant({ body: { metadata: { user_id: "something-new" } } }), "pass"],
    ["no metadata", variant({ body: { metadata: undefined } }), "pass"],
    ["two header markers missing", variant({ drop: ["x-app", "anthropic-beta"] }), "pass"],
    ["system given as a string", variant({ body: { system: IDENTITY[0]?.text } }), "pass"],
    ["interactive identity line", variant({ body: { system: IDENTITY } }), "pass"],
    ["antigravity mirror", variant({ path: "/antigravity/v1/messages" }), "pass"],
    // the User-Agent is required
    ["everything but the User-Agent", variant({ drop: ["user-agent"] }), "user_agent"],
    ["User-Agent without a version", variant({ headers: { "user-agent": "claude-cli/dev" } }), "user_agent"],
    [
      "User-Agent with claude-cli later on",
      variant({ headers: { "user-agent": "my-tool claude-cli/2.1.197" } }),
      "user_agent",
    ],
    // adversarial: SDK calls dressed up
    ["SDK call with a spoofed User-Agent only", sdkCall(CC_UA, {}), "request_body"],
    [
      "the SDK capture with a spoofed User-Agent",
      withHeaders(loadCapture("sdk-anthropic-1#0").view, CC_UA),
      "request_body",
    ],
    ["SDK call with every Claude Code header", sdkCall(CC_HEADERS, {}), "request_body"],
    ["SDK body with only the identity line", sdkCall({}, { system: IDENTITY }), "user_agent"],
    ["spoofed User-Agent plus the identity line", sdkCall(CC_UA, { system: IDENTITY }), "marker_count"],
    [
      "spoofed User-Agent, identity line and legacy metadata",
      sdkCall(CC_UA, { system: IDENTITY, metadata: { user_id: LEGACY_USER_ID } }),
      "marker_count",
    ],
    [
      "two body markers and x-app reach the threshold",
      sdkCall({ ...CC_UA, "x-app": "cli" }, { system: IDENTITY, metadata: { user_id: LEGACY_USER_ID } }),
      "pass",
    ],
    [
      "identity line later than the first blocks does not count",
      sdkCall(CC_HEADERS, { system: [1, 2, 3, 4].map(() => ({ type: "text", text: "x" })).concat(IDENTITY) }),
      "request_body",
    ],
    [
      "identity line inside a message does not count",
      sdkCall(CC_HEADERS, { messages: [{ role: "user", content: IDENTITY }] }),
      "request_body",
    ],
    [
      "non-uuid session header and lookalike beta do not count",
      sdkCall(
        { ...CC_UA, "x-claude-code-session-id": "abc", "anthropic-beta": "claude-code-20250219x" },
        { system: IDENTITY, metadata: { user_id: LEGACY_USER_ID } },
      ),
      "marker_count",
    ],
    ["non-object body", { ...claudeCode, body: "not json" }, "request_body"],
    // paths without a prompt pass on the User-Agent alone
    ["count_tokens with the User-Agent", sdkCall(CC_UA, {}, "/v1/messages/count_tokens"), "pass"],
    ["count_tokens without it", sdkCall({}, {}, "/v1/messages/count_tokens"), "user_agent"],
    ["models list", { path: "/v1/models", query: new URLSearchParams(), headers: CC_UA, body: undefined }, "pass"],
    [
      "one model",
      { path: "/v1/models/claude-opus-4-8", query: new URLSearchParams(), headers: CC_UA, body: undefined },
      "pass",
    ],
    ["antigravity count_tokens", sdkCall(CC_UA, {}, "/antigravity/v1/messages/count_tokens"), "pass"],
    ["1-token haiku probe", sdkCall(CC_UA, { model: "claude-haiku-4-5-20251001", max_tokens: 1 }), "pass"],
    ["haiku probe without the User-Agent", sdkCall({}, { model: "claude-haiku-4-5", max_tokens: 1 }), "user_agent"],
    [
      "2-token haiku call is a real message",
      sdkCall(CC_UA, { model: "claude-haiku-4-5", max_tokens: 2 }),
      "request_body",
    ],
    [
      "1-token sonnet call is a real message",
      sdkCall(CC_UA, { model: "claude-sonnet-4-5", max_tokens: 1 }),
      "request_body",
    ],
    [
      "chat completions with the User-Agent is checked in full",
      sdkCall(CC_UA, {}, "/v1/chat/completions"),
      "request_body",
    ],
  ];
  it.each(table)("%s -> %s", (_name, request, expected) => {
    const detection = detectClaudeCode(request);
    expect(detection.isClaudeCode).toBe(expected === "pass");
    expect(detection.failed).toBe(expected === "pass" ? undefined : expected);
  });

  it("lists the markers it found for the log", () => {
    expect(detectClaudeCode(variant({ drop: ["x-app"], body: { metadata: undefined } })).reasons).toEqual([
      "user_agent",
      "beta",
      "session_header",
      "system_prompt",
    ]);
    expect(detectClaudeCode(sdkCall(CC_UA, { model: "claude-haiku-4-5", max_tokens: 1 })).reasons).toEqual([
      "user_agent",
      "haiku_probe",
    ]);
  });
});
