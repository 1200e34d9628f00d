import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import type { UsageLog } from "../gen/tollgate/admin/v1/usage_pb.js";
import type { SimRequest } from "../upstream-sim/index.js";
import { createTenant, type Stack, startStack, type Tenant } from "./support/stack.js";

// The OpenAI, Gemini and Antigravity surfaces end to end with the official SDKs: data plane ->
// upstream-sim -> usage log, tokens normalised once (cached tokens out of input).

const REPLY = "Hello from upstream-sim.";
// Over 1024 tokens, so the simulated OpenAI/Gemini prompt cache serves it the second time.
const LONG_PROMPT = `Summarise this. ${"lorem ipsum dolor sit amet ".repeat(400)}`;

let stack: Stack;
let openaiTenant: Tenant;
let geminiTenant: Tenant;
let openai: OpenAI;
let genai: GoogleGenAI;

beforeAll(async () => {
  stack = await startStack();
  openaiTenant = await createTenant(stack, { platform: Platform.OPENAI });
  geminiTenant = await createTenant(stack, { platform: Platform.GEMINI });
  openai = new OpenAI({ apiKey: openaiTenant.secret, baseURL: `${stack.dp.url}/v1`, maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: geminiTenant.secret, httpOptions: { baseUrl: stack.dp.url } });
});

afterAll(async () => {
  await stack?.close();
});

const billed = new Set<string>();

/** The usage log of the key's one request since the last call (each test makes its requests one by one). */
async function nextLog(tenant: Tenant): Promise<UsageLog> {
  await stack.dp.usage.drain(5_000);
  const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } });
  const fresh = logs.filter((log) => !billed.has(log.requestId));
  expect(fresh).toHaveLength(1);
  const log = fresh[0] as UsageLog;
  billed.add(log.requestId);
  return log;
}

function tokens(log: UsageLog) {
  return {
    input: Number(log.inputTokens),
    output: Number(log.outputTokens),
    cacheRead: Number(log.cacheReadTokens),
    cacheWrite: Number(log.cacheCreationTokens),
    estimated: log.estimated,
  };
}

function lastUpstreamRequest(credential: string): SimRequest {
  const mine = stack.sim.requests().filter((r) => r.credential === credential);
  expect(mine.length).toBeGreaterThan(0);
  return mine[mine.length - 1] as SimRequest;
}

describe("POST /v1/chat/completions with the openai SDK", () => {
  it("streams with include_usage: the text, the usage chunk, and the same tokens in the usage log", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-5",
      messages: [{ role: "user", content: "say hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(REPLY);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);

    const log = await nextLog(openaiTenant);
    expect(tokens(log)).toEqual({
      input: usage?.prompt_tokens,
      output: usage?.completion_tokens,
      cacheRead: 0,
      cacheWrite: 0,
      estimated: false,
    });
    expect(log).toMatchObject({
      stream: true,
      statusCode: 200,
      model: "gpt-5",
      accountId: openaiTenant.accounts[0]?.id,
    });
    expect(log.firstTokenMs).toBeDefined();
  });

  it("asks upstream for usage when the client did not, and still bills the stream", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-5",
      messages: [{ role: "user", content: "say hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(REPLY);

    const upstream = lastUpstreamRequest(openaiTenant.credentials[0] as string);
    expect(upstream.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const log = await nextLog(openaiTenant);
    expect(tokens(log)).toMatchObject({ estimated: false, output: Math.ceil(REPLY.length / 4) });
    expect(tokens(log).input).toBeGreaterThan(0);
  });

  it("answers a non-streamed request, and bills a repeated long prompt's cached tokens as cache reads", async () => {
    const ask = () =>
      openai.chat.completions.create({ model: "gpt-5", messages: [{ role: "user", content: LONG_PROMPT }] });
    const first = await ask();
    await nextLog(openaiTenant);
    const second = await ask();
    expect(second.choices[0]?.message.content).toBe(REPLY);
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(1000);

    const log = await nextLog(openaiTenant);
    expect(tokens(log)).toEqual({
      input: (second.usage?.prompt_tokens ?? 0) - cached,
      output: second.usage?.completion_tokens,
      cacheRead: cached,
      cacheWrite: 0,
      estimated: false,
    });
    expect(log.stream).toBe(false);
  });
});

describe("POST /v1/responses with the openai SDK", () => {
  it("streams the answer and bills response.completed's usage, cached tokens out of input", async () => {
    const run = async () => {
      const stream = await openai.responses.create({ model: "gpt-5-codex", input: LONG_PROMPT, stream: true });
      let text = "";
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        if (event.type === "response.output_text.delta") text += event.delta;
        if (event.type === "response.completed") completed = event.response;
      }
      return { text, usage: completed?.usage };
    };
    await run();
    await nextLog(openaiTenant);
    const { text, usage } = await run();
    expect(text).toBe(REPLY);
    const cached = usage?.input_tokens_details.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(1000);

    const log = await nextLog(openaiTenant);
    expect(tokens(log)).toEqual({
      input: (usage?.input_tokens ?? 0) - cached,
      output: usage?.output_tokens,
      cacheRead: cached,
      cacheWrite: 0,
      estimated: false,
    });
    expect(log).toMatchObject({ stream: true, model: "gpt-5-codex" });
    expect(log.firstTokenMs).toBeDefined();
  });
});

describe("POST /v1beta/models/{model}:generateContent and :streamGenerateContent with @google/genai", () => {
  it("generateContent: the text and the usage metadata, billed", async () => {
    const response = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(response.text).toBe(REPLY);
    const log = await nextLog(geminiTenant);
    expect(tokens(log)).toEqual({
      input: response.usageMetadata?.promptTokenCount,
      output: response.usageMetadata?.candidatesTokenCount,
      cacheRead: 0,
      cacheWrite: 0,
      estimated: false,
    });
    expect(log).toMatchObject({ stream: false, model: "gemini-2.5-flash" });
  });

  it("generateContentStream: the streamed text, the last usage metadata billed, cached tokens out of input", async () => {
    const run = async () => {
      let text = "";
      let usage: { promptTokenCount?: number; candidatesTokenCount?: number; cachedContentTokenCount?: number } = {};
      for await (const chunk of await genai.models.generateContentStream({
        model: "gemini-3.8-flash",
        contents: LONG_PROMPT,
      })) {
        text += chunk.text ?? "";
        usage = chunk.usageMetadata ?? usage;
      }
      return { text, usage };
    };
    await run();
    await nextLog(geminiTenant);
    const { text, usage } = await run();
    expect(text).toBe(REPLY);
    const cached = usage.cachedContentTokenCount ?? 0;
    expect(cached).toBeGreaterThan(1000);

    const log = await nextLog(geminiTenant);
    expect(tokens(log)).toEqual({
      input: (usage.promptTokenCount ?? 0) - cached,
      output: usage.candidatesTokenCount,
      cacheRead: cached,
      cacheWrite: 0,
      estimated: false,
    });
    expect(log).toMatchObject({ stream: true, model: "gemini-3.8-flash" });
    expect(log.firstTokenMs).toBeDefined();
    const upstream = lastUpstreamRequest(geminiTenant.credentials[0] as string);
    expect(upstream).toMatchObject({
      path: "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      query: { alt: "sse" },
    });
    expect(upstream.credentialSource).toBe("x-goog-api-key");
  });
});

describe("streamGenerateContent without ?alt=sse", () => {
  it("relays the progressive JSON array and bills the last usage in it", async () => {
    const res = await fetch(`${stack.dp.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": geminiTenant.secret },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "say hi" }] }] }),
    });
    expect(res.status).toBe(200);
    const chunks = (await res.json()) as Array<{
      usageMetadata?: { promptTokenCount: number; candidatesTokenCount?: number };
    }>;
    expect(chunks.length).toBeGreaterThan(1);
    const usage = chunks[chunks.length - 1]?.usageMetadata;
    const log = await nextLog(geminiTenant);
    expect(tokens(log)).toEqual({
      input: usage?.promptTokenCount,
      output: usage?.candidatesTokenCount,
      cacheRead: 0,
      cacheWrite: 0,
      estimated: false,
    });
  });
});

describe("/antigravity mirrors", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await createTenant(stack, { platform: Platform.ANTIGRAVITY });
  });

  it("the account's effective base URL ends in /antigravity", () => {
    expect(tenant.accounts[0]?.effectiveBaseUrl).toBe(`${stack.sim.url}/antigravity`);
  });

  it("/antigravity/v1/messages reaches the account under /antigravity, billed", async () => {
    const client = new Anthropic({ apiKey: tenant.secret, baseURL: `${stack.dp.url}/antigravity`, maxRetries: 0 });
    const message = await client.messages.create({
      model: "claude-opus-4-8",
      max_tokens: 32,
      messages: [{ role: "user", content: "say hi" }],
    });
    expect(message.content).toEqual([expect.objectContaining({ type: "text", text: REPLY })]);
    const upstream = lastUpstreamRequest(tenant.credentials[0] as string);
    expect(upstream).toMatchObject({ path: "/antigravity/v1/messages", antigravity: true, protocol: "anthropic" });
    const log = await nextLog(tenant);
    expect(tokens(log)).toMatchObject({ input: message.usage.input_tokens, output: message.usage.output_tokens });
  });

  it("/antigravity/v1beta/... streams Gemini through the account under /antigravity, billed", async () => {
    const client = new GoogleGenAI({ apiKey: tenant.secret, httpOptions: { baseUrl: `${stack.dp.url}/antigravity` } });
    let text = "";
    let usage: { promptTokenCount?: number; candidatesTokenCount?: number } = {};
    for await (const chunk of await client.models.generateContentStream({
      model: "gemini-3.8-flash",
      contents: "hi",
    })) {
      text += chunk.text ?? "";
      usage = chunk.usageMetadata ?? usage;
    }
    expect(text).toBe(REPLY);
    const upstream = lastUpstreamRequest(tenant.credentials[0] as string);
    expect(upstream).toMatchObject({
      path: "/antigravity/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      antigravity: true,
    });
    const log = await nextLog(tenant);
    expect(tokens(log)).toMatchObject({ input: usage.promptTokenCount, output: usage.candidatesTokenCount });
  });

  it("an Antigravity key may use the plain Anthropic surface, but not an OpenAI key the mirror", async () => {
    const plain = new Anthropic({ apiKey: tenant.secret, baseURL: stack.dp.url, maxRetries: 0 });
    const message = await plain.messages.create({
      model: "claude-opus-4-8",
      max_tokens: 32,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message.content[0]).toMatchObject({ text: REPLY });
    await nextLog(tenant);

    const wrong = new Anthropic({ apiKey: openaiTenant.secret, baseURL: `${stack.dp.url}/antigravity`, maxRetries: 0 });
    const refused = await wrong.messages
      .create({ model: "claude-opus-4-8", max_tokens: 32, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { code: "INVALID_REQUEST" },
    });
  });
});
