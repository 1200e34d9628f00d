import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/accounting.js";
import { postMessages } from "./support/messages.js";
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "./support/redis.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";
import { TcpRelay } from "./support/tcp-relay.js";

// Redis going away under a data plane: a conversation that needs Redis to be routed gets a 503 in its
// own protocol's envelope (never a 500, never a hang), nothing reaches the upstream for it and nothing
// is billed; a conversation the data plane is already serving on an account without a concurrency
// limit keeps being served until the first call sent behind one of its requests fails; once Redis is
// back, routing is too. The data plane reaches Redis through a relay the test can cut. The warnings
// every refused request repeats are written once per interval, not once per request.

const MODEL = "claude-opus-4-8";

let redis: TestRedisPrefix;
let direct: Redis;
let relay: TcpRelay;
let stack: Stack;
let t: Tenant;
const warnings: Array<{ msg: string; heldBack?: number }> = [];
let refusals = 0;

beforeAll(async () => {
  redis = createTestPrefix();
  direct = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const target = new URL(REDIS_URL);
  relay = new TcpRelay(await freePort(), { host: target.hostname, port: Number(target.port || 6379) });
  await relay.restore();
  stack = await startStack({
    dataPlane: {
      redisUrl: `redis://127.0.0.1:${relay.port}`,
      redisKeyPrefix: redis.prefix,
      log: pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) }),
    },
  });
  t = await createTenant(stack, { accounts: 1 });
});

afterAll(async () => {
  await stack?.close();
  await relay?.cut();
  direct?.disconnect();
  await redis?.cleanup();
});

/** One Messages request of the conversation that starts with `opening`; its status and body. */
async function ask(opening: string): Promise<{ status: number; body: string }> {
  const response = await postMessages(stack.dp.url, t.secret, {
    model: MODEL,
    max_tokens: 16,
    messages: [{ role: "user", content: opening }],
  });
  if (response.status === 503) refusals++;
  return { status: response.status, body: await response.text() };
}

/** When the account was last routed to, as Redis has it (the route script's last-used hash). */
const lastUsed = () => direct.hget(`${redis.prefix}last-used`, t.accounts[0]?.id ?? "");

const upstreamCalls = (opening: string) =>
  stack.sim.requests().filter((r) => JSON.stringify(r.body).includes(opening)).length;

describe("a data plane on Redis when Redis goes away", () => {
  it("refuses new conversations with a 503, serves known ones, and routes again when Redis is back", async () => {
    const known = `known conversation ${randomUUID()}`;
    expect((await ask(known)).status).toBe(200);
    const routed = await lastUsed();
    expect((await ask(known)).status).toBe(200);
    // Answered without a round trip; the call behind it is in Redis before the cut.
    await waitFor(async () => (await lastUsed()) !== routed, "the call sent behind the request to reach Redis");
    // And its answer is read: the cut drops whatever the relay has not forwarded yet, and a lost answer
    // rightly makes the data plane ask Redis for the session next time. A conversation it must ask Redis
    // for is answered on the same connection after it.
    expect((await ask(`conversation routed after ${randomUUID()}`)).status).toBe(200);

    await relay.cut();
    const fresh = `new conversation ${randomUUID()}`;
    const refused = await ask(fresh);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({
      type: "error",
      error: {
        type: "overloaded_error",
        code: "SERVICE_UNAVAILABLE",
        message: "routing is unavailable right now; retry shortly",
      },
    });

    // Served from what the data plane knows of the conversation, until a call behind one fails.
    expect((await ask(known)).status).toBe(200);
    await waitFor(async () => (await ask(known)).status === 503, "a known conversation to be refused too");

    // Seconds into the outage, a request still gets its answer within the Redis command timeout (1 s),
    // not after ioredis's growing reconnection pauses (10 s and more).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const started = Date.now();
    expect((await ask(fresh)).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(upstreamCalls(fresh)).toBe(0);
    // One line for the first refusal (the outage is shorter than the 10 s interval), one for the store.
    const lines = (msg: string) => warnings.filter((w) => w.msg === msg).length;
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(lines("routing store unreachable; request refused")).toBe(1);
    expect(lines("routing store error")).toBe(1);

    await relay.restore();
    await waitFor(async () => (await ask(fresh)).status === 200, "routing to come back with Redis", 3_000);
    expect(upstreamCalls(fresh)).toBe(1);
    expect((await ask(known)).status).toBe(200);

    // Every answer is billed once, every refusal not at all.
    const served = stack.sim.requests().filter((r) => r.status === 200).length;
    await waitFor(
      async () =>
        (await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: t.key.id }, pageSize: 100 })).logs.length ===
        served,
      "every answer to be billed",
    );
  });
});
