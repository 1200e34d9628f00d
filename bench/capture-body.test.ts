import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { filler, loadCapturedRequest, restoreCapture, schemaOfSize, toOpenAiChat } from "./capture-body.js";

const CAPTURE = join(import.meta.dirname, "../../shared/captures/claude-code-1.json");

describe("restoreCapture", () => {
  it.each([
    [
      "a cut string regains its original length",
      `${"a".repeat(400)}\n…[TRUNCATED 1000 of 1600 chars]…\n${"b".repeat(200)}`,
      1600,
    ],
    ["an uncut string is untouched", "say hi", 6],
  ])("%s", (_label, input, length) => {
    const restored = restoreCapture(input) as string;
    expect(restored.length).toBe(length);
    expect(restored.startsWith(input.slice(0, 6))).toBe(true);
  });

  it("replaces an omitted schema by one of the recorded size", () => {
    expect(JSON.stringify(restoreCapture("<schema omitted: 552 bytes>")).length).toBe(552);
    expect(JSON.stringify(schemaOfSize(10))).toContain('"type":"object"');
  });

  it("walks arrays and objects, leaving other values alone", () => {
    expect(restoreCapture({ a: [1, true, null, "x"], b: { c: 2 } })).toEqual({ a: [1, true, null, "x"], b: { c: 2 } });
  });

  it("rebuilds claude-code-1 to within 3% of the bytes Claude Code sent", () => {
    const { body, recordedBytes } = loadCapturedRequest(CAPTURE);
    const bytes = Buffer.byteLength(JSON.stringify(body));
    expect(recordedBytes).toBe(76_609);
    expect(Math.abs(bytes - recordedBytes) / recordedBytes).toBeLessThan(0.03);
  });
});

describe("toOpenAiChat", () => {
  it("carries the system prompt, every turn and every tool", () => {
    const chat = toOpenAiChat(
      {
        system: [{ type: "text", text: "be brief" }],
        messages: [
          { role: "user", content: [{ type: "text", text: "hi" }, { type: "image" }] },
          { role: "system", content: "mid-conversation" },
        ],
        tools: [{ name: "Bash", description: "runs", input_schema: { type: "object" } }],
        max_tokens: 99,
      },
      "gpt-x",
    );
    expect(chat).toEqual({
      model: "gpt-x",
      stream: true,
      max_completion_tokens: 99,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi" },
        { role: "system", content: "mid-conversation" },
      ],
      tools: [{ type: "function", function: { name: "Bash", description: "runs", parameters: { type: "object" } } }],
    });
  });

  it("keeps the large conversation large", () => {
    const chat = toOpenAiChat(loadCapturedRequest(CAPTURE).body, "gpt-x");
    expect(Buffer.byteLength(JSON.stringify(chat))).toBeGreaterThan(70_000);
  });

  it("filler is exact-length ASCII", () => {
    expect(filler(1234)).toHaveLength(1234);
    expect(Buffer.byteLength(filler(1234))).toBe(1234);
  });
});
