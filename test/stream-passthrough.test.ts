import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { postMessages } from "./support/messages.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// A stream reaches the client as the upstream wrote it, lines the gateway does not use included: the
// upstream here starts each chunk with an SSE comment (upstream-sim's stampChunks, which the bench's
// slow streams rely on; some providers send comments of their own). Only the message id and the
// stamped times differ from a direct call, and the usage the stream carried is billed.

let stack: Stack;
let sim: UpstreamSim;
let t: Tenant;

beforeAll(async () => {
  stack = await startStack();
  sim = await startUpstreamSim({ chunks: 3, chunkDelayMs: 5, stampChunks: true });
  t = await createTenant({ admin: stack.admin, sim, dp: stack.dp });
});

afterAll(async () => {
  await stack?.close();
  await sim?.close();
});

const body = JSON.stringify({
  model: "claude-sonnet-4-5",
  max_tokens: 64,
  stream: true,
  messages: [{ role: "user", content: "pass it through" }],
});

async function streamText(url: string, key: string): Promise<string> {
  const response = await postMessages(url, key, body);
  expect(response.status).toBe(200);
  return response.text();
}

/** What differs between two answers to the same request: the message id and the send times. */
const normalised = (text: string) =>
  text.replace(/"id":"[^"]+"/g, '"id":"-"').replace(/^: sent-at \d+$/gm, ": sent-at -");

describe("a stream through the data plane", () => {
  it("carries the upstream's SSE comments where it put them, and is billed", async () => {
    const proxied = await streamText(stack.dp.url, t.secret);
    const direct = await streamText(sim.url, t.credentials[0] as string);

    expect(proxied.match(/^: sent-at \d+\nevent: content_block_delta$/gm)).toHaveLength(3);
    expect(normalised(proxied)).toBe(normalised(direct));

    const outputTokens = Number(/"usage":\{"output_tokens":(\d+)/.exec(proxied)?.[1]);
    expect(outputTokens).toBeGreaterThan(0);
    await waitFor(
      async () => (await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: t.key.id } })).logs.length === 1,
      "the stream's usage log",
    );
    const [log] = (await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: t.key.id } })).logs;
    expect(Number(log?.outputTokens)).toBe(outputTokens);
  });
});
