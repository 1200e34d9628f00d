import Anthropic from "@anthropic-ai/sdk";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Account, AccountStatus } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import type { FaultStep, SimRequest } from "../upstream-sim/index.js";
import { postMessages } from "./support/messages.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// DESIGN §5.9, one rule per test: what upstream-sim saw (which account, how many attempts, how far
// apart) and what the client saw. Timings are shortened through the data plane's failover config.

const FAILOVER = {
  sameAccountRetryDelayMs: 150,
  tempUnschedulableMs: 40_000,
  rateLimitDefaultMs: 50_000,
  rateLimitMaxMs: 120_000,
  overloadedMs: 90_000,
};

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ dataPlane: { failover: FAILOVER } });
});

afterAll(async () => {
  await stack?.close();
});

/** A tenant whose accounts are tried in order: account i has priority i. */
async function tenant(accounts: number, platform = Platform.ANTHROPIC): Promise<Tenant> {
  return createTenant(stack, { platform, accounts, priorities: Array.from({ length: accounts }, (_, i) => i) });
}

function anthropic(t: Tenant): Anthropic {
  return new Anthropic({ apiKey: t.secret, baseURL: stack.dp.url, maxRetries: 0 });
}

const ASK = { model: "claude-opus-4-8", max_tokens: 32, messages: [{ role: "user" as const, content: "say hi" }] };
let conversations = 0;
/** A request that starts a conversation of its own (the same one would stick to its account). */
function fresh() {
  return { ...ASK, messages: [{ role: "user" as const, content: `new conversation ${++conversations}` }] };
}

/** The sim's log of this tenant's accounts, as [account index, status] in order. */
function seen(t: Tenant): Array<[number, number | null]> {
  return requestsOf(t).map((r) => [t.credentials.indexOf(r.account as string), r.status]);
}

function requestsOf(t: Tenant): SimRequest[] {
  return stack.sim.requests().filter((r) => r.account !== null && t.credentials.includes(r.account));
}

function script(t: Tenant, index: number, ...steps: FaultStep[]): void {
  stack.sim.script(t.credentials[index] as string, steps);
}

async function accountAfter(t: Tenant, index: number, settled: (a: Account) => boolean): Promise<Account> {
  const id = t.accounts[index]?.id as string;
  let account: Account | undefined;
  await waitFor(async () => {
    account = (await stack.admin.accounts.getAccount({ id })).account;
    return account !== undefined && settled(account);
  }, `account ${index}'s state to reach the control plane`);
  return account as Account;
}

function untilMs(ts: Parameters<typeof timestampMs>[0] | undefined): number {
  return ts ? Number(timestampMs(ts)) : 0;
}

describe("accounts at fault: switch, and mark the account as the status says", () => {
  it.each([401, 403])(
    "%i puts the account in error; the next account answers; ClearAccountState brings it back",
    async (status) => {
      const t = await tenant(2);
      script(t, 0, { kind: "status", status });
      const message = await anthropic(t).messages.create(ASK);
      expect(message.content[0]).toMatchObject({ text: "Hello from upstream-sim." });
      expect(seen(t)).toEqual([
        [0, status],
        [1, 200],
      ]);
      const failed = await accountAfter(t, 0, (a) => a.status === AccountStatus.ERROR);
      expect(failed.state?.lastError).toContain(`upstream ${status}`);

      await anthropic(t).messages.create(fresh());
      expect(seen(t).at(-1)).toEqual([1, 200]);

      await stack.admin.accounts.clearAccountState({ id: t.accounts[0]?.id as string });
      await accountAfter(t, 0, (a) => a.status === AccountStatus.ACTIVE);
      await waitFor(async () => {
        await anthropic(t).messages.create(fresh());
        return seen(t).at(-1)?.[0] === 0;
      }, "the cleared account to serve again");
    },
  );

  it("429 marks the account rate limited until the reset the upstream names", async () => {
    const t = await tenant(2);
    const before = Date.now();
    script(t, 0, { kind: "rate-limit", resetSeconds: 60 });
    await anthropic(t).messages.create(ASK);
    expect(seen(t)).toEqual([
      [0, 429],
      [1, 200],
    ]);
    const limited = await accountAfter(t, 0, (a) => untilMs(a.state?.rateLimitedUntil) > 0);
    const until = untilMs(limited.state?.rateLimitedUntil);
    expect(until).toBeGreaterThanOrEqual(before + 58_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 61_000);

    await anthropic(t).messages.create(fresh());
    expect(seen(t).at(-1)).toEqual([1, 200]);
  });

  it("429 honours a far reset only up to the cap", async () => {
    const t = await tenant(2);
    script(t, 0, { kind: "rate-limit", resetSeconds: 7_200 });
    await anthropic(t).messages.create(ASK);
    const limited = await accountAfter(t, 0, (a) => untilMs(a.state?.rateLimitedUntil) > 0);
    expect(untilMs(limited.state?.rateLimitedUntil)).toBeLessThanOrEqual(Date.now() + FAILOVER.rateLimitMaxMs);
  });

  it("429 without a reset rate-limits for the default period", async () => {
    const t = await tenant(2);
    const before = Date.now();
    script(t, 0, { kind: "status", status: 429 });
    await anthropic(t).messages.create(ASK);
    const limited = await accountAfter(t, 0, (a) => untilMs(a.state?.rateLimitedUntil) > 0);
    const until = untilMs(limited.state?.rateLimitedUntil);
    expect(until).toBeGreaterThanOrEqual(before + FAILOVER.rateLimitDefaultMs);
    expect(until).toBeLessThanOrEqual(Date.now() + FAILOVER.rateLimitDefaultMs);
  });

  it("529 marks the account overloaded", async () => {
    const t = await tenant(2);
    const before = Date.now();
    script(t, 0, { kind: "overloaded" });
    await anthropic(t).messages.create(ASK);
    expect(seen(t)).toEqual([
      [0, 529],
      [1, 200],
    ]);
    const overloaded = await accountAfter(t, 0, (a) => untilMs(a.state?.overloadedUntil) > 0);
    expect(untilMs(overloaded.state?.overloadedUntil)).toBeGreaterThanOrEqual(before + FAILOVER.overloadedMs);
  });

  it.each([500, 502, 503])("%i switches without marking the account", async (status) => {
    const t = await tenant(2);
    script(t, 0, { kind: "status", status });
    await anthropic(t).messages.create(ASK);
    // The conversation now sticks to account 1; a new one still starts on account 0.
    await anthropic(t).messages.create(ASK);
    await anthropic(t).messages.create(fresh());
    expect(seen(t)).toEqual([
      [0, status],
      [1, 200],
      [1, 200],
      [0, 200],
    ]);
  });

  it("an unreachable upstream switches", async () => {
    const t = await tenant(2);
    await stack.admin.accounts.updateAccount({ id: t.accounts[0]?.id as string, baseUrl: "http://127.0.0.1:9" });
    await waitFor(
      () => stack.dp.config.current.accounts.get(t.accounts[0]?.id as string)?.baseUrl === "http://127.0.0.1:9",
      "the new base URL",
    );
    const message = await anthropic(t).messages.create(ASK);
    expect(message.content[0]).toMatchObject({ text: "Hello from upstream-sim." });
    expect(seen(t)).toEqual([[1, 200]]);
  });
});

describe("transient failures: the same account again, then park it and switch", () => {
  function spacing(requests: SimRequest[]): number[] {
    return requests.slice(1).map((r, i) => r.time - (requests[i] as SimRequest).time);
  }

  it("Google 400 'invalid project resource name' is retried twice on the same account 500 ms apart (shortened), then the account is parked", async () => {
    const t = await tenant(2, Platform.GEMINI);
    script(t, 0, { kind: "invalid-project", times: 3 });
    const client = new GoogleGenAI({ apiKey: t.secret, httpOptions: { baseUrl: stack.dp.url } });
    const answer = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(answer.text).toBe("Hello from upstream-sim.");
    expect(seen(t)).toEqual([
      [0, 400],
      [0, 400],
      [0, 400],
      [1, 200],
    ]);
    for (const gap of spacing(requestsOf(t).slice(0, 3)))
      expect(gap).toBeGreaterThanOrEqual(FAILOVER.sameAccountRetryDelayMs - 5);
    const parked = await accountAfter(t, 0, (a) => untilMs(a.state?.tempUnschedulableUntil) > 0);
    expect(parked.state?.reason).toContain("invalid project");
  });

  it("a transient failure that recovers stays on the account", async () => {
    const t = await tenant(2, Platform.GEMINI);
    script(t, 0, { kind: "invalid-project" });
    const client = new GoogleGenAI({ apiKey: t.secret, httpOptions: { baseUrl: stack.dp.url } });
    await client.models.generateContent({ model: "gemini-2.5-flash", contents: "say hi" });
    expect(seen(t)).toEqual([
      [0, 400],
      [0, 200],
    ]);
  });

  it("an empty stream is retried on the same account, then the account is parked", async () => {
    const t = await tenant(2);
    script(t, 0, { kind: "empty-stream", times: 3 });
    const text = await anthropic(t).messages.stream(ASK).finalText();
    expect(text).toBe("Hello from upstream-sim.");
    expect(seen(t).map(([i]) => i)).toEqual([0, 0, 0, 1]);
    for (const gap of spacing(requestsOf(t).slice(0, 3)))
      expect(gap).toBeGreaterThanOrEqual(FAILOVER.sameAccountRetryDelayMs - 5);
    const parked = await accountAfter(t, 0, (a) => untilMs(a.state?.tempUnschedulableUntil) > 0);
    expect(parked.state?.reason).toContain("empty stream");
  });
});

describe("streams", () => {
  it("an overload error sent as a 200 stream's first event is caught before the client sees a byte", async () => {
    const t = await tenant(2);
    script(t, 0, { kind: "stream-error" });
    const events: string[] = [];
    const stream = anthropic(t).messages.stream(ASK);
    stream.on("streamEvent", (event) => events.push(event.type));
    expect(await stream.finalText()).toBe("Hello from upstream-sim.");
    expect(events[0]).toBe("message_start");
    expect(seen(t).map(([i]) => i)).toEqual([0, 1]);
    await accountAfter(t, 0, (a) => untilMs(a.state?.overloadedUntil) > 0);
  });

  it("after the first byte nothing is retried: a cut stream ends with the protocol's error event", async () => {
    const t = await tenant(2);
    script(t, 0, { kind: "cut-stream", afterEvents: 4 });
    const stream = anthropic(t).messages.stream(ASK);
    await expect(stream.finalText()).rejects.toThrow(/upstream stream failed/);
    expect(seen(t).map(([i]) => i)).toEqual([0]);
  });
});

describe("limits and what the client finally sees", () => {
  it("at most 10 switches: 11 accounts tried, then 502 in the Anthropic envelope", async () => {
    const t = await tenant(12);
    for (let i = 0; i < 12; i++) script(t, i, { kind: "status", status: 500 });
    const error = await anthropic(t)
      .messages.create(ASK)
      .catch((e: unknown) => e as InstanceType<typeof Anthropic.APIError>);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { code: "UPSTREAM_ERROR" },
    });
    expect(seen(t).map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("at most 3 switches on Gemini", async () => {
    const t = await tenant(5, Platform.GEMINI);
    for (let i = 0; i < 5; i++) script(t, i, { kind: "status", status: 503 });
    const response = await fetch(`${stack.dp.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": t.secret, "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(response.status).toBe(502);
    expect(seen(t).map(([i]) => i)).toEqual([0, 1, 2, 3]);
  });

  it.each([
    ["every account rate limited", { kind: "status", status: 429 } as FaultStep, 429, "UPSTREAM_RATE_LIMITED"],
    ["every account overloaded", { kind: "overloaded" } as FaultStep, 503, "UPSTREAM_OVERLOADED"],
    ["every account failing", { kind: "status", status: 500 } as FaultStep, 502, "UPSTREAM_ERROR"],
  ])("%s: the last failure mapped once (%j -> %i)", async (_label, step, status, code) => {
    const t = await tenant(2);
    script(t, 0, step);
    script(t, 1, step);
    const response = await postMessages(stack.dp.url, t.secret, ASK);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ type: "error", error: { code } });
    expect(seen(t)).toHaveLength(2);
  });

  it("a group with every account cooling down answers 503 NO_AVAILABLE_ACCOUNT", async () => {
    const t = await tenant(1);
    script(t, 0, { kind: "overloaded" });
    await postMessages(stack.dp.url, t.secret, ASK);
    await waitFor(() => stack.dp.config.current.accounts.get(t.accounts[0]?.id as string) !== undefined, "config");
    const response = await postMessages(stack.dp.url, t.secret, ASK);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "NO_AVAILABLE_ACCOUNT" } });
    expect(seen(t)).toHaveLength(1);
  });

  it("the client's own mistake (400) passes through as the provider sent it, once", async () => {
    const t = await tenant(2);
    const body = { type: "error", error: { type: "invalid_request_error", message: "max_tokens: must be at least 1" } };
    script(t, 0, { kind: "status", status: 400, body: JSON.stringify(body) });
    const response = await postMessages(stack.dp.url, t.secret, ASK);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(body);
    expect(seen(t)).toEqual([[0, 400]]);
  });
});
