import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPLY, startUpstreamSim, type UpstreamSim } from "./index.js";

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

const client = (apiKey: string) => new Anthropic({ apiKey, baseURL: sim.url, maxRetries: 0 });
const lastRequest = (credential: string) =>
  sim
    .requests()
    .filter((r) => r.credential === credential)
    .at(-1);
const messages = [{ role: "user" as const, content: "say hi" }];

describe("Anthropic SDK against the simulator", () => {
  it("creates a message with usage from the request size", async () => {
    const message = await client("anth-create").messages.create({
      model: "claude-sonnet-5-5",
      max_tokens: 64,
      messages,
    });
    const logged = lastRequest("anth-create");
    expect(message.content).toEqual([{ type: "text", text: DEFAULT_REPLY }]);
    expect(message.model).toBe("claude-sonnet-5-5");
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({
      input_tokens: Math.ceil((logged?.bodyBytes ?? 0) / 4),
      output_tokens: Math.ceil(DEFAULT_REPLY.length / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(logged).toMatchObject({ protocol: "anthropic", operation: "messages", stream: false, status: 200 });
    expect(logged?.credentialSource).toBe("authorization");
  });

  it("streams a message the SDK assembles, with usage", async () => {
    const stream = client("anth-stream").messages.stream({ model: "claude-sonnet-5-5", max_tokens: 64, messages });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(DEFAULT_REPLY);
    expect(final.content[0]).toMatchObject({ type: "text", text: DEFAULT_REPLY });
    expect(final.usage.output_tokens).toBe(Math.ceil(DEFAULT_REPLY.length / 4));
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(lastRequest("anth-stream")).toMatchObject({ stream: true, outcome: "complete" });
  });

  it("counts tokens", async () => {
    const count = await client("anth-count").messages.countTokens({ model: "claude-sonnet-5-5", messages });
    expect(count.input_tokens).toBe(Math.ceil((lastRequest("anth-count")?.bodyBytes ?? 0) / 4));
  });

  it("lists models", async () => {
    const page = await client("anth-models").models.list();
    expect(page.data.map((m) => m.id)).toContain("claude-sonnet-5-5");
  });

  it("writes the prompt cache at cache_control, then reads it, outside input_tokens", async () => {
    const anthropic = client("anth-cache");
    const system = [
      {
        type: "text" as const,
        text: "You are a careful agent. ".repeat(200),
        cache_control: { type: "ephemeral" as const },
      },
    ];
    const first = await anthropic.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, system, messages });
    const second = await anthropic.messages.create({
      model: "claude-sonnet-5-5",
      max_tokens: 64,
      system,
      messages: [{ role: "user", content: "and again" }],
    });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1000);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    const total = Math.ceil((lastRequest("anth-cache")?.bodyBytes ?? 0) / 4);
    expect(second.usage.input_tokens + (second.usage.cache_read_input_tokens ?? 0)).toBe(total);
  });
});

describe("stamped chunks (stampChunks)", () => {
  it("starts each write after a pause with its monotonic send time, which the SDK ignores", async () => {
    const stamped = await startUpstreamSim({ chunks: 3, chunkDelayMs: 20, stampChunks: true });
    try {
      const before = process.hrtime.bigint();
      const raw = await fetch(`${stamped.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": "stamp", "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, stream: true, messages }),
      }).then((res) => res.text());
      const after = process.hrtime.bigint();
      const stamps = [...raw.matchAll(/^: sent-at (\d+)$/gm)].map((m) => BigInt(m[1] as string));
      expect(stamps).toHaveLength(3);
      for (const [i, stamp] of stamps.entries()) {
        expect(stamp > before && stamp < after).toBe(true);
        if (i > 0) expect(stamp - (stamps[i - 1] as bigint)).toBeGreaterThanOrEqual(19_000_000n);
      }

      const sdk = new Anthropic({ apiKey: "stamp-sdk", baseURL: stamped.url, maxRetries: 0 });
      const message = await sdk.messages
        .stream({ model: "claude-sonnet-4-5", max_tokens: 64, messages })
        .finalMessage();
      expect(message.content).toEqual([{ type: "text", text: Array(3).fill(DEFAULT_REPLY).join(" ") }]);
    } finally {
      await stamped.close();
    }
  });
});
