import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPLY, startUpstreamSim, type UpstreamSim } from "./index.js";

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

const client = (apiKey: string, path = "") =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${sim.url}${path}` } });
const lastRequest = (credential: string) =>
  sim
    .requests()
    .filter((r) => r.credential === credential)
    .at(-1);
const promptTokens = (credential: string) => Math.ceil((lastRequest(credential)?.bodyBytes ?? 0) / 4);
const outputTokens = Math.ceil(DEFAULT_REPLY.length / 4);

describe("@google/genai against the simulator", () => {
  it("generates content with usage metadata", async () => {
    const response = await client("gem-gen").models.generateContent({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(response.text).toBe(DEFAULT_REPLY);
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: promptTokens("gem-gen"),
      candidatesTokenCount: outputTokens,
      totalTokenCount: promptTokens("gem-gen") + outputTokens,
    });
    expect(lastRequest("gem-gen")).toMatchObject({
      protocol: "gemini",
      operation: "generate_content",
      model: "gemini-2.5-flash",
      credentialSource: "x-goog-api-key",
    });
  });

  it("streams content over SSE ending with finishReason and usage", async () => {
    const stream = await client("gem-stream").models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "say hi",
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join("")).toBe(DEFAULT_REPLY);
    const last = chunks.at(-1);
    expect(last?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata).toMatchObject({
      candidatesTokenCount: outputTokens,
      promptTokenCount: promptTokens("gem-stream"),
    });
    expect(lastRequest("gem-stream")).toMatchObject({ stream: true, query: { alt: "sse" } });
  });

  it("counts tokens", async () => {
    const count = await client("gem-count").models.countTokens({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(count.totalTokens).toBe(promptTokens("gem-count"));
  });

  it("lists models", async () => {
    const pager = await client("gem-models").models.list();
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? "");
    expect(names).toContain("models/gemini-2.5-flash");
  });

  it("answers JSON mode with a value valid for the schema (Gemini CLI's router call)", async () => {
    const response = await client("gem-json").models.generateContent({
      model: "gemini-3.5-flash-lite",
      contents: "say hi",
      config: {
        responseMimeType: "application/json",
        responseJsonSchema: {
          type: "OBJECT",
          properties: { reasoning: { type: "STRING" }, complexity_score: { type: "INTEGER" } },
          required: ["reasoning", "complexity_score"],
        },
      },
    });
    const parsed = JSON.parse(response.text ?? "");
    expect(typeof parsed.reasoning).toBe("string");
    expect(parsed.complexity_score).toBeGreaterThanOrEqual(1);
  });

  it("serves the same routes under /antigravity", async () => {
    const response = await client("gem-ag", "/antigravity").models.generateContent({
      model: "gemini-3-pro",
      contents: "say hi",
    });
    expect(response.text).toBe(DEFAULT_REPLY);
    expect(lastRequest("gem-ag")).toMatchObject({
      antigravity: true,
      path: "/antigravity/v1beta/models/gemini-3-pro:generateContent",
    });
  });

  it("reports a long prefix seen before as cachedContentTokenCount inside promptTokenCount", async () => {
    const gemini = client("gem-cache");
    const systemInstruction = "Answer in the house style. ".repeat(300);
    const first = await gemini.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "one",
      config: { systemInstruction },
    });
    const second = await gemini.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "two",
      config: { systemInstruction },
    });
    expect(first.usageMetadata?.cachedContentTokenCount).toBeUndefined();
    expect(second.usageMetadata?.cachedContentTokenCount).toBeGreaterThan(1024);
    expect(second.usageMetadata?.cachedContentTokenCount).toBeLessThan(second.usageMetadata?.promptTokenCount ?? 0);
  });
});
