import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, type Tenant } from "./support/stack.js";

// OpenAI Responses keeps a response at the account that produced it; a request continuing from it
// (previous_response_id) must reach that account, whatever the group's other accounts look like.

let stack: Stack;
let tenant: Tenant;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  tenant = await createTenant(stack, { platform: Platform.OPENAI, accounts: 2 });
  client = new OpenAI({ apiKey: tenant.secret, baseURL: `${stack.dp.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.close();
});

function lastAccount(): string | null {
  return stack.sim.requests().at(-1)?.account ?? null;
}

describe("previous_response_id", () => {
  it("reaches the account that produced the response, non-streamed and streamed", async () => {
    const first = await client.responses.create({ model: "gpt-5", input: "first question" });
    const producer = lastAccount();
    // A new conversation goes to the least recently used account: the other one.
    await client.responses.create({ model: "gpt-5", input: "an unrelated question" });
    expect(lastAccount()).not.toBe(producer);

    const followUp = await client.responses.create({
      model: "gpt-5",
      input: "and then?",
      previous_response_id: first.id,
    });
    expect(lastAccount()).toBe(producer);

    const stream = client.responses.stream({ model: "gpt-5", input: "go on", previous_response_id: followUp.id });
    const streamed = await stream.finalResponse();
    expect(lastAccount()).toBe(producer);

    await client.responses.create({ model: "gpt-5", input: "yet another question" });
    await client.responses.create({ model: "gpt-5", input: "last one", previous_response_id: streamed.id });
    expect(lastAccount()).toBe(producer);
  });
});
