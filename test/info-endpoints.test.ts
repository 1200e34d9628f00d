import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../common/money.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// The endpoints that are not LLM calls: model lists from the serving group's accounts, the key's own
// usage (DESIGN §5 `/v1/usage` shape), and token counting (proxied, never billed).

let stack: Stack;
let anthropic: Tenant;
let openai: Tenant;
let gemini: Tenant;

beforeAll(async () => {
  stack = await startStack();
  anthropic = await createTenant(stack, { platform: Platform.ANTHROPIC });
  openai = await createTenant(stack, { platform: Platform.OPENAI });
  gemini = await createTenant(stack, { platform: Platform.GEMINI });
  await stack.admin.accounts.updateAccount({
    id: openai.accounts[0]?.id as string,
    models: { values: ["gpt-5", "gpt-5-codex"] },
  });
  await waitFor(
    () => stack.dp.config.current.accounts.get(openai.accounts[0]?.id as string)?.models.length === 2,
    "the model list",
  );
});

afterAll(async () => {
  await stack?.close();
});

describe("model lists", () => {
  it("GET /v1/models in Anthropic's shape lists the group's default Anthropic models", async () => {
    const client = new Anthropic({ apiKey: anthropic.secret, baseURL: stack.dp.url, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("claude-opus-4-8");
    expect(ids.every((id) => id.startsWith("claude-"))).toBe(true);
  });

  it("GET /v1/models in OpenAI's shape lists exactly what the accounts serve", async () => {
    const client = new OpenAI({ apiKey: openai.secret, baseURL: `${stack.dp.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["gpt-5", "gpt-5-codex"]);
  });

  it("GET /v1beta/models in Gemini's shape", async () => {
    const client = new GoogleGenAI({ apiKey: gemini.secret, httpOptions: { baseUrl: stack.dp.url } });
    const names: string[] = [];
    for await (const model of await client.models.list()) names.push(model.name ?? "");
    expect(names).toContain("models/gemini-2.5-pro");
  });

  it("needs a valid key", async () => {
    const response = await fetch(`${stack.dp.url}/v1/models`, { headers: { authorization: "Bearer sk-tg-nope" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "INVALID_API_KEY" } });
  });
});

describe("token counting", () => {
  it("Anthropic countTokens answers through an account and is not billed", async () => {
    const client = new Anthropic({ apiKey: anthropic.secret, baseURL: stack.dp.url, maxRetries: 0 });
    const counted = await client.messages.countTokens({
      model: "claude-opus-4-8",
      messages: [{ role: "user", content: "say hi" }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(stack.sim.requests().at(-1)?.path).toBe("/v1/messages/count_tokens");
    await stack.dp.usage.drain(5_000);
    expect((await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: anthropic.key.id } })).logs).toHaveLength(0);
  });

  it("Gemini countTokens answers through an account and is not billed", async () => {
    const client = new GoogleGenAI({ apiKey: gemini.secret, httpOptions: { baseUrl: stack.dp.url } });
    const counted = await client.models.countTokens({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(counted.totalTokens).toBeGreaterThan(0);
    await stack.dp.usage.drain(5_000);
    expect((await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: gemini.key.id } })).logs).toHaveLength(0);
  });
});

describe("GET /v1/usage", () => {
  it("reports the calling key's own usage, matching its logs exactly", async () => {
    const client = new Anthropic({ apiKey: anthropic.secret, baseURL: stack.dp.url, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      await client.messages.create({
        model: "claude-opus-4-8",
        max_tokens: 16,
        messages: [{ role: "user", content: `hello ${i}` }],
      });
    }
    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: anthropic.key.id } });
    expect(logs).toHaveLength(3);

    const response = await fetch(`${stack.dp.url}/v1/usage`, {
      headers: { authorization: `Bearer ${anthropic.secret}` },
    });
    expect(response.status).toBe(200);
    const usage = (await response.json()) as Record<string, unknown> & {
      usage: {
        today: Record<string, number | string>;
        total: Record<string, number | string>;
        rpm: number;
        tpm: number;
      };
    };
    const sum = (pick: (l: (typeof logs)[number]) => bigint) => logs.reduce((s, l) => s + pick(l), 0n);
    const input = Number(sum((l) => l.inputTokens));
    const output = Number(sum((l) => l.outputTokens));
    const cost = formatDecimal(logs.reduce((s, l) => s + (parseDecimal(l.costUsd) as bigint), 0n));
    const actual = formatDecimal(logs.reduce((s, l) => s + (parseDecimal(l.actualCostUsd) as bigint), 0n));
    expect(usage).toMatchObject({
      isValid: true,
      planName: anthropic.group.name,
      unit: "USD",
      quota_usd: "0",
      quota_used_usd: actual,
      balance: formatDecimal((parseDecimal("10") as bigint) - (parseDecimal(actual) as bigint)),
      remaining: formatDecimal((parseDecimal("10") as bigint) - (parseDecimal(actual) as bigint)),
      expires_at: null,
    });
    for (const period of [usage.usage.today, usage.usage.total]) {
      expect(period).toMatchObject({
        requests: 3,
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        cost,
        actual_cost: actual,
      });
    }
    expect(usage.usage.rpm).toBeCloseTo(3 / 5);
    expect(usage.usage.tpm).toBeCloseTo((input + output) / 5);
  });

  it("shows another key nothing of this one's", async () => {
    const response = await fetch(`${stack.dp.url}/v1/usage`, { headers: { authorization: `Bearer ${openai.secret}` } });
    const usage = (await response.json()) as { usage: { total: { requests: number } } };
    expect(usage.usage.total.requests).toBe(0);
  });
});
