import { type Chat, GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import type { SimRequest } from "../upstream-sim/index.js";
import { createTenant, type Stack, startStack, type Tenant } from "./support/stack.js";

// A Gemini conversation carries no session id: each request replays the history in `contents`, and
// the digest chain (DESIGN §5.5) must find the account of the turns before it. The real @google/genai
// chat drives it, over several turns, streamed and not; a second conversation of the same key is a
// session of its own (with equal priorities, least recently used sends it to the other account).

const MODEL = "gemini-2.5-flash";

let stack: Stack;
let t: Tenant;

beforeAll(async () => {
  stack = await startStack();
  t = await createTenant(stack, { platform: Platform.GEMINI, accounts: 2 });
});

afterAll(async () => {
  await stack?.close();
});

function newChat(systemInstruction: string): Chat {
  const ai = new GoogleGenAI({ apiKey: t.secret, httpOptions: { baseUrl: stack.dp.url } });
  return ai.chats.create({ model: MODEL, config: { systemInstruction } });
}

/** One turn, streamed or not; what upstream-sim saw for it (found by the turn's own text). */
async function turn(chat: Chat, text: string, stream: boolean): Promise<SimRequest> {
  if (stream) {
    let answer = "";
    for await (const chunk of await chat.sendMessageStream({ message: text })) answer += chunk.text ?? "";
    expect(answer).toBe("Hello from upstream-sim.");
  } else {
    expect((await chat.sendMessage({ message: text })).text).toBe("Hello from upstream-sim.");
  }
  const seen = stack.sim.requests().filter((r) => JSON.stringify(r.body).includes(text));
  expect(seen).toHaveLength(1);
  return seen[0] as SimRequest;
}

const accountOf = (request: SimRequest) => t.credentials.indexOf(request.account as string);
const contentsOf = (request: SimRequest) => (request.body as { contents?: unknown[] }).contents ?? [];

/** Each request of a conversation replays the one before it whole, and adds to it. */
function expectReplayed(requests: SimRequest[]): void {
  for (let i = 1; i < requests.length; i++) {
    const before = contentsOf(requests[i - 1] as SimRequest);
    const now = contentsOf(requests[i] as SimRequest);
    expect(now.length).toBeGreaterThan(before.length);
    expect(now.slice(0, before.length)).toEqual(before);
  }
}

describe("a growing Gemini conversation", () => {
  it("stays on one account of the group while each request replays the history; another conversation goes elsewhere", async () => {
    const first = newChat("You are a terse assistant.");
    const second = newChat("You are a terse assistant.");

    const opening = [
      await turn(first, "first conversation, turn 1", false),
      await turn(first, "first conversation, turn 2", true),
      await turn(first, "first conversation, turn 3", false),
      await turn(first, "first conversation, turn 4", true),
    ];
    expectReplayed(opening);
    const home = accountOf(opening[0] as SimRequest);
    expect(opening.map(accountOf)).toEqual([home, home, home, home]);

    const other = await turn(second, "second conversation, turn 1", false);
    expect(accountOf(other)).not.toBe(home);

    // Interleaved, each keeps its own account.
    const later = [
      await turn(first, "first conversation, turn 5", true),
      await turn(second, "second conversation, turn 2", true),
      await turn(first, "first conversation, turn 6", false),
      await turn(second, "second conversation, turn 3", false),
    ];
    expect(later.map(accountOf)).toEqual([home, accountOf(other), home, accountOf(other)]);
    expectReplayed([...opening, later[0] as SimRequest, later[2] as SimRequest]);
    expectReplayed([other, later[1] as SimRequest, later[3] as SimRequest]);
  });
});
