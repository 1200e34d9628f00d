import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import type { UsageLog } from "../gen/tollgate/admin/v1/usage_pb.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// DESIGN §6: a stream the client aborts bills what the upstream reported; when it reported nothing,
// the input is estimated and the record flagged `estimated`. Partial text is never billed as a full
// completion, and the upstream request is cancelled with the client's.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

/** Opens a stream, reads until `enough` says so, then hangs up. */
async function readThenAbort(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  enough: (text: string) => boolean,
) {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!enough(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before the test hung up:\n${text}`);
    text += decoder.decode(value, { stream: true });
  }
  abort.abort();
  return text;
}

async function onlyLog(t: Tenant): Promise<UsageLog> {
  let logs: UsageLog[] = [];
  await waitFor(async () => {
    await stack.dp.usage.drain(5_000);
    logs = (await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: t.key.id } })).logs;
    return logs.length > 0;
  }, "the aborted request's usage log");
  expect(logs).toHaveLength(1);
  return logs[0] as UsageLog;
}

describe("a stream the client aborts", () => {
  it("bills the input the upstream reported in message_start, not the completion the client never got (Anthropic)", async () => {
    const t = await createTenant(stack, { platform: Platform.ANTHROPIC });
    stack.sim.script(t.credentials[0] as string, [{ kind: "reply", chunks: 100, chunkDelayMs: 100 }]);
    await readThenAbort(
      `${stack.dp.url}/v1/messages`,
      { "x-api-key": t.secret },
      {
        model: "claude-opus-4-8",
        max_tokens: 1024,
        stream: true,
        messages: [{ role: "user", content: "a long answer" }],
      },
      (text) => text.split("content_block_delta").length > 3,
    );
    await waitFor(() => stack.sim.requests().at(-1)?.outcome === "aborted", "the upstream request to be cancelled");
    const log = await onlyLog(t);
    expect(log.estimated).toBe(false);
    expect(Number(log.inputTokens)).toBeGreaterThan(0);
    // message_start's running count; the full answer (100 chunks) would be hundreds.
    expect(Number(log.outputTokens)).toBeLessThan(10);
  });

  it("estimates the input when the upstream had reported nothing yet, and says so (OpenAI chat)", async () => {
    const t = await createTenant(stack, { platform: Platform.OPENAI });
    stack.sim.script(t.credentials[0] as string, [{ kind: "reply", chunks: 100, chunkDelayMs: 100 }]);
    await readThenAbort(
      `${stack.dp.url}/v1/chat/completions`,
      { authorization: `Bearer ${t.secret}` },
      { model: "gpt-5", stream: true, messages: [{ role: "user", content: "a long answer" }] },
      (text) => text.split("data:").length > 3,
    );
    const log = await onlyLog(t);
    expect(log.estimated).toBe(true);
    expect(Number(log.inputTokens)).toBeGreaterThan(0);
    expect(Number(log.outputTokens)).toBe(0);
  });
});
