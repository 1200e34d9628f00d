import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, mulDecimal, parseDecimal, tokenCost } from "../common/money.js";
import { ApiKeyStatus } from "../gen/tollgate/admin/v1/api_key_pb.js";
import type { UsageLog } from "../gen/tollgate/admin/v1/usage_pb.js";
import { postMessages } from "./support/messages.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// The foundation issue end to end: admin API -> config pushed to a running data plane ->
// /v1/messages through the official Anthropic SDK -> upstream-sim -> usage billed exactly once.

const MODEL = "claude-opus-4-8";
const PRICE = { input: "3", output: "15", cacheWrite: "3.75", cacheRead: "0.3" };

let stack: Stack;
let tenant: Tenant;
let client: Anthropic;

beforeAll(async () => {
  stack = await startStack();
  await stack.admin.pricing.setModelPrice({
    price: {
      model: MODEL,
      inputPerMtok: PRICE.input,
      outputPerMtok: PRICE.output,
      cacheWritePerMtok: PRICE.cacheWrite,
      cacheReadPerMtok: PRICE.cacheRead,
    },
  });
  tenant = await createTenant(stack, { rateMultiplier: "1.5" });
  client = new Anthropic({ apiKey: tenant.secret, baseURL: stack.dp.url, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.close();
});

function expectedCost(log: UsageLog): string {
  const cost =
    tokenCost(log.inputTokens, parseDecimal(PRICE.input) as bigint) +
    tokenCost(log.outputTokens, parseDecimal(PRICE.output) as bigint) +
    tokenCost(log.cacheCreationTokens, parseDecimal(PRICE.cacheWrite) as bigint) +
    tokenCost(log.cacheReadTokens, parseDecimal(PRICE.cacheRead) as bigint);
  return formatDecimal(cost);
}

async function logsOfKey(): Promise<UsageLog[]> {
  await stack.dp.usage.drain(5_000);
  const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } });
  return logs;
}

describe("POST /v1/messages with the Anthropic SDK", () => {
  it("answers a non-streamed request and bills its tokens at the set price times the group rate", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: "say hi" }],
    });
    expect(message.content).toEqual([expect.objectContaining({ type: "text", text: "Hello from upstream-sim." })]);

    const [log] = (await logsOfKey()).filter((l) => !l.stream);
    expect(log).toBeDefined();
    const usageLog = log as UsageLog;
    expect(Number(usageLog.inputTokens)).toBe(message.usage.input_tokens);
    expect(Number(usageLog.outputTokens)).toBe(message.usage.output_tokens);
    expect(usageLog.model).toBe(MODEL);
    expect(usageLog.accountId).toBe(tenant.accounts[0]?.id);
    expect(usageLog.costUsd).toBe(expectedCost(usageLog));
    expect(usageLog.actualCostUsd).toBe(
      formatDecimal(mulDecimal(parseDecimal(usageLog.costUsd) as bigint, parseDecimal("1.5") as bigint)),
    );
    expect(usageLog.estimated).toBe(false);
  });

  it("streams a response through as events and bills it once", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: "say hi, streamed" }],
    });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join("")).toBe("Hello from upstream-sim.");

    const streamed = (await logsOfKey()).filter((l) => l.stream);
    expect(streamed).toHaveLength(1);
    const log = streamed[0] as UsageLog;
    expect(Number(log.inputTokens)).toBe(final.usage.input_tokens);
    expect(Number(log.outputTokens)).toBe(final.usage.output_tokens);
    expect(log.firstTokenMs).toBeDefined();
    expect(log.costUsd).toBe(expectedCost(log));
  });

  it("charges the key's quota_used and the user's balance exactly the sum of its logs", async () => {
    const logs = await logsOfKey();
    const spent = logs.reduce((sum, l) => sum + (parseDecimal(l.actualCostUsd) as bigint), 0n);
    const { apiKey } = await stack.admin.keys.getApiKey({ id: tenant.key.id });
    const { user } = await stack.admin.users.getUser({ id: tenant.user.id });
    expect(apiKey?.quotaUsedUsd).toBe(formatDecimal(spent));
    expect(user?.balanceUsd).toBe(formatDecimal((parseDecimal("10") as bigint) - spent));
  });
});

describe("bad requests never reach the upstream", () => {
  it("answers malformed JSON with 400 in the Anthropic envelope and an unknown key with 401 INVALID_API_KEY", async () => {
    stack.sim.clearRequests();
    const malformed = await postMessages(stack.dp.url, tenant.secret, '{"model": "claude-opus-4-8", "messages": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: expect.stringContaining("malformed JSON"),
        code: "INVALID_REQUEST",
      },
    });

    const unknownKey = new Anthropic({ apiKey: "sk-tg-not-a-real-key", baseURL: stack.dp.url, maxRetries: 0 });
    const error = await unknownKey.messages
      .create({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error", code: "INVALID_API_KEY" },
    });

    expect(stack.sim.requests()).toHaveLength(0);
  });
});

describe("config reaches the running data plane without a restart", () => {
  it("refuses a key within moments of it being disabled through the admin API", async () => {
    const t0 = performance.now();
    await stack.admin.keys.updateApiKey({ id: tenant.key.id, status: ApiKeyStatus.DISABLED });
    const committed = performance.now();
    await waitFor(
      () => stack.dp.config.current.keysById.get(tenant.key.id)?.status === ApiKeyStatus.DISABLED,
      "the disabled key to reach the data plane",
    );
    const applied = performance.now();
    console.log(
      `config propagation: UpdateApiKey took ${(committed - t0).toFixed(1)} ms; the data plane applied it ${(applied - committed).toFixed(1)} ms after the RPC returned`,
    );

    const response = await postMessages(stack.dp.url, tenant.secret, {
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "API_KEY_DISABLED" } });
  });

  it("refuses the admin API without the admin token", async () => {
    const error = await fetch(`${stack.cp.running.adminUrl}/tollgate.admin.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(error.status).toBe(401);
    expect(await error.json()).toMatchObject({ code: "unauthenticated" });
  });
});
