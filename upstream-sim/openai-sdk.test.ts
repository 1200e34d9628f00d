import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPLY, startUpstreamSim, type UpstreamSim } from "./index.js";

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${sim.url}/v1`, maxRetries: 0 });
const lastRequest = (credential: string) =>
  sim
    .requests()
    .filter((r) => r.credential === credential)
    .at(-1);
const promptTokens = (credential: string) => Math.ceil((lastRequest(credential)?.bodyBytes ?? 0) / 4);
const outputTokens = Math.ceil(DEFAULT_REPLY.length / 4);

describe("OpenAI SDK against the simulator", () => {
  it("streams a chat completion ending with a usage chunk", async () => {
    const stream = await client("oa-chat-stream").chat.completions.create({
      model: "gpt-5",
      messages: [{ role: "user", content: "say hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const last = chunks.at(-1);
    expect(text).toBe(DEFAULT_REPLY);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: promptTokens("oa-chat-stream"),
      completion_tokens: outputTokens,
      total_tokens: promptTokens("oa-chat-stream") + outputTokens,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it("streams without a usage chunk unless asked", async () => {
    const stream = await client("oa-chat-nousage").chat.completions.create({
      model: "gpt-5",
      messages: [{ role: "user", content: "say hi" }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it("answers a chat completion with usage", async () => {
    const completion = await client("oa-chat").chat.completions.create({
      model: "gpt-5",
      messages: [{ role: "user", content: "say hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(completion.usage).toMatchObject({ prompt_tokens: promptTokens("oa-chat"), completion_tokens: outputTokens });
    expect(lastRequest("oa-chat")).toMatchObject({ protocol: "openai", operation: "chat_completions", model: "gpt-5" });
  });

  it("streams a Responses API answer ending with response.completed and usage", async () => {
    const stream = await client("oa-resp-stream").responses.create({ model: "gpt-5", input: "say hi", stream: true });
    const types: string[] = [];
    let deltas = "";
    let completed: OpenAI.Responses.Response | undefined;
    let doneItem: OpenAI.Responses.ResponseOutputItem | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") deltas += event.delta;
      if (event.type === "response.output_item.done") doneItem = event.item;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(deltas).toBe(DEFAULT_REPLY);
    expect(doneItem).toMatchObject({ type: "message", content: [{ type: "output_text", text: DEFAULT_REPLY }] });
    expect(completed?.status).toBe("completed");
    expect(completed?.output).toEqual([doneItem]);
    expect(completed?.usage).toMatchObject({
      input_tokens: promptTokens("oa-resp-stream"),
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      total_tokens: promptTokens("oa-resp-stream") + outputTokens,
    });
  });

  it("answers a Responses API request without streaming", async () => {
    const response = await client("oa-resp").responses.create({ model: "gpt-5", input: "say hi" });
    expect(response.output_text).toBe(DEFAULT_REPLY);
    expect(response.status).toBe("completed");
  });

  it("lists models", async () => {
    const page = await client("oa-models").models.list();
    expect(page.data.map((m) => m.id)).toContain("gpt-5");
    expect(lastRequest("oa-models")).toMatchObject({ protocol: "openai", operation: "models" });
  });

  it("reports a long prefix seen before as cached_tokens inside prompt_tokens", async () => {
    const openai = client("oa-cache");
    const system = { role: "system" as const, content: "Follow the house style. ".repeat(300) };
    await openai.chat.completions.create({ model: "gpt-5", messages: [system, { role: "user", content: "one" }] });
    const second = await openai.chat.completions.create({
      model: "gpt-5",
      messages: [system, { role: "user", content: "two" }],
    });
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(1024);
    expect(cached).toBeLessThan(second.usage?.prompt_tokens ?? 0);
    expect(second.usage?.prompt_tokens).toBe(promptTokens("oa-cache"));
  });
});
