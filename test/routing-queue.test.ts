import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataPlane } from "../dataplane/index.js";
import type { SimRequest } from "../upstream-sim/index.js";
import { postMessages } from "./support/messages.js";
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "./support/redis.js";
import {
  createTenant,
  type Stack,
  startStack,
  startTestDataPlane,
  type Tenant,
  type TenantOptions,
  waitFor,
} from "./support/stack.js";

// The bounded wait for a slot (DESIGN §5.7, dataplane/pipeline/slot-wait.ts), on the Redis store: a
// request that finds its account (or its user) at the limit waits and is served when a slot frees;
// past the queue timeout it gets 429 naming the limit; a waiting stream gets SSE comment pings; a
// client that leaves, waiting or streaming, takes no slot with it. Two data planes share the store:
// a patient one (long timeout, early pings) and a hasty one whose 1 s timeout makes a held slot show
// as a 429 rather than as a delay, and whose queue holds one request. Slot leases last 3 s, so a longer stream keeps its slot only by
// renewing it.

const SLOT_LEASE_MS = 3_000;

const MODEL = "claude-opus-4-8";

let redis: TestRedisPrefix;
let stack: Stack;
let hasty: DataPlane;

beforeAll(async () => {
  redis = createTestPrefix();
  const store = { redisUrl: REDIS_URL, redisKeyPrefix: redis.prefix, slotLeaseMs: SLOT_LEASE_MS };
  stack = await startStack({
    dataPlane: { ...store, queue: { timeoutMs: 20_000, pingAfterMs: 150, pingIntervalMs: 100 } },
  });
  hasty = await startTestDataPlane(stack.cp, {
    ...store,
    queue: { timeoutMs: 1_000, pingAfterMs: 300, pingIntervalMs: 200, maxWaiting: 1 },
  });
});

afterAll(async () => {
  await hasty?.close();
  await stack?.close();
  await redis?.cleanup();
});

const patient = () => stack.dp;

/** A tenant both data planes know. */
async function tenant(options: TenantOptions): Promise<Tenant> {
  const t = await createTenant(stack, options);
  await waitFor(() => hasty.config.current.keysById.has(t.key.id), "the hasty data plane to receive the key");
  return t;
}

/** A conversation of its own, marked so the simulator's log can tell it. */
function post(plane: DataPlane, t: Tenant, marker: string, stream: boolean): Promise<Response> {
  return postMessages(plane.url, t.secret, {
    model: MODEL,
    max_tokens: 16,
    stream,
    messages: [{ role: "user", content: marker }],
  });
}

/**
 * A stream request on a connection of its own, resolved at its first bytes; leave() drops the
 * connection as a client that goes away does. (node:http rather than fetch, which opens a spare
 * connection after an abort.)
 */
function openStream(
  plane: DataPlane,
  t: Tenant,
  marker: string,
): Promise<{ first: string; done: Promise<string>; leave(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${plane.url}/v1/messages`, {
      method: "POST",
      agent: false,
      headers: { "x-api-key": t.secret, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let rest = "";
      const done = new Promise<string>((end) => {
        res.on("data", (chunk: Buffer) => {
          rest += chunk.toString("utf8");
        });
        res.on("end", () => end(rest));
        res.on("close", () => end(rest));
      });
      res.once("data", (chunk: Buffer) => resolve({ first: chunk.toString("utf8"), done, leave: () => req.destroy() }));
    });
    req.end(
      JSON.stringify({ model: MODEL, max_tokens: 16, stream: true, messages: [{ role: "user", content: marker }] }),
    );
  });
}

function upstreamOf(marker: string): SimRequest | undefined {
  return stack.sim.requests().find((r) => JSON.stringify(r.body).includes(marker));
}

/** Starts a slow stream (it lasts at least (chunks - 1) x chunkDelayMs) and resolves once upstream-sim is sending it. */
async function holdSlot(t: Tenant, account: number, chunks: number, chunkDelayMs: number) {
  stack.sim.script(t.credentials[account] as string, [{ kind: "reply", chunks, chunkDelayMs }]);
  const marker = `holder ${randomUUID()}`;
  const response = post(patient(), t, marker, true);
  await waitFor(() => upstreamOf(marker)?.status === 200, "the slow stream to start upstream");
  return { marker, response, minMs: (chunks - 1) * chunkDelayMs };
}

async function expectConcurrencyLimit(response: Response, limit: RegExp): Promise<void> {
  expect(response.status).toBe(429);
  expect(await response.json()).toEqual({
    type: "error",
    error: { type: "rate_limit_error", code: "CONCURRENCY_LIMIT", message: expect.stringMatching(limit) },
  });
}

describe("waiting for a slot", () => {
  it("a request that finds its account busy waits and is served when the slot frees, not refused", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    const holder = await holdSlot(t, 0, 8, 100);
    const marker = `waiter ${randomUUID()}`;
    const response = await post(patient(), t, marker, false);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ content: [{ type: "text", text: "Hello from upstream-sim." }] });
    expect(await (await holder.response).text()).toContain("event: message_stop");
    const first = upstreamOf(holder.marker) as SimRequest;
    const second = upstreamOf(marker) as SimRequest;
    expect(second.time - first.time).toBeGreaterThanOrEqual(holder.minMs - 5);
  });

  it("past a short queue timeout it gets 429 CONCURRENCY_LIMIT naming the account limit", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    // Longer than the hasty data plane's queue timeout.
    const holder = await holdSlot(t, 0, 25, 100);
    const marker = `refused ${randomUUID()}`;
    await expectConcurrencyLimit(await post(hasty, t, marker, false), /every account of this group is busy/);
    expect(upstreamOf(marker)).toBeUndefined();
    await (await holder.response).text();
  });

  it("a waiting stream gets its 200 and SSE comment pings, then the answer in the same stream", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    const holder = await holdSlot(t, 0, 10, 100);
    const response = await post(patient(), t, `pinged ${randomUUID()}`, true);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const answerAt = text.indexOf("event: message_start");
    expect(text.startsWith(": ping\n\n")).toBe(true);
    expect(answerAt).toBeGreaterThan(0);
    expect(text.slice(0, answerAt)).toMatch(/^(: ping\n\n)+$/);
    expect(text).toContain("event: message_stop");
    await (await holder.response).text();
  });

  it("a stream that waited with pings past the queue timeout ends with the protocol's error event naming the limit", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    // Longer than the hasty data plane's queue timeout.
    const holder = await holdSlot(t, 0, 25, 100);
    const marker = `pinged then refused ${randomUUID()}`;
    const response = await post(hasty, t, marker, true);
    expect(response.status).toBe(200);
    const text = await response.text();
    const [pings, event] = [text.slice(0, text.indexOf("event: error")), text.slice(text.indexOf("event: error"))];
    expect(pings).toMatch(/^(: ping\n\n)+$/);
    const data = JSON.parse(/^event: error\ndata: (.*)\n\n$/.exec(event)?.[1] ?? "null");
    expect(data).toMatchObject({
      type: "error",
      error: { message: expect.stringMatching(/CONCURRENCY_LIMIT.*every account of this group is busy/) },
    });
    expect(upstreamOf(marker)).toBeUndefined();
    await (await holder.response).text();
  });

  it("the queue is bounded: past its length a request is refused at once, not queued", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    const holder = await holdSlot(t, 0, 25, 100);
    // The hasty queue's one place: a stream that got its first ping is waiting.
    const waiter = await openStream(hasty, t, `queued ${randomUUID()}`);
    expect(waiter.first).toBe(": ping\n\n");
    let waiterDone = false;
    waiter.done.then(() => {
      waiterDone = true;
    });
    await expectConcurrencyLimit(
      await post(hasty, t, `no room in the queue ${randomUUID()}`, false),
      /every account of this group is busy/,
    );
    // Refused while the waiter still waits: it was never queued behind it.
    expect(waiterDone).toBe(false);
    expect(await waiter.done).toContain("CONCURRENCY_LIMIT");
    await (await holder.response).text();
  });

  it("a stream longer than the slot lease keeps its slot (the lease is renewed)", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    stack.sim.script(t.credentials[0] as string, [{ kind: "reply", chunks: 100, chunkDelayMs: 100 }]);
    const marker = `outlives its lease ${randomUUID()}`;
    const stream = await openStream(patient(), t, marker);
    const started = (upstreamOf(marker) as SimRequest).time;
    await waitFor(() => Date.now() - started > SLOT_LEASE_MS + 500, "the stream to outlive its first lease");
    await expectConcurrencyLimit(
      await post(hasty, t, `during a long stream ${randomUUID()}`, false),
      /every account of this group is busy/,
    );
    stream.leave();
    const response = await post(hasty, t, `after the long stream ${randomUUID()}`, false);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it("the user's concurrency limit holds across accounts and data planes, and is named", async () => {
    const t = await tenant({ accounts: 2 });
    await stack.admin.users.updateUser({ id: t.user.id, concurrency: 1 });
    for (const plane of [patient(), hasty]) {
      await waitFor(() => plane.config.current.users.get(t.user.id)?.concurrency === 1, "the user's new limit");
    }
    // Longer than the hasty data plane's queue timeout.
    const holder = await holdSlot(t, 0, 25, 100);
    // Account 1 is idle: only the user's own limit stands in the way.
    const refused = `user refused ${randomUUID()}`;
    await expectConcurrencyLimit(await post(hasty, t, refused, false), /your concurrent request limit is busy/);
    const waiter = `user waiter ${randomUUID()}`;
    const response = await post(patient(), t, waiter, false);
    expect(response.status).toBe(200);
    await (await holder.response).text();
    expect(upstreamOf(refused)).toBeUndefined();
    const first = upstreamOf(holder.marker) as SimRequest;
    expect((upstreamOf(waiter) as SimRequest).time - first.time).toBeGreaterThanOrEqual(holder.minMs - 5);
  });
});

describe("clients that leave", () => {
  it("a client that disconnects mid-stream frees its slot for the next request at once", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    // Twenty seconds of stream unless someone stops it.
    stack.sim.script(t.credentials[0] as string, [{ kind: "reply", chunks: 100, chunkDelayMs: 200 }]);
    const marker = `leaves mid-stream ${randomUUID()}`;
    const stream = await openStream(patient(), t, marker);
    expect(stream.first).toContain("event: message_start");
    stream.leave();
    await waitFor(() => upstreamOf(marker)?.outcome === "aborted", "the upstream stream to be aborted too");
    // The hasty data plane waits 1 s at most: only a freed slot lets this through.
    const response = await post(hasty, t, `after the stream left ${randomUUID()}`, false);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it("a client that disconnects while waiting never reaches upstream and takes no slot", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    const holder = await holdSlot(t, 0, 10, 100);
    const gone = `leaves while waiting ${randomUUID()}`;
    const waiting = await openStream(patient(), t, gone);
    // Its first ping: it is waiting in the queue.
    expect(waiting.first).toBe(": ping\n\n");
    waiting.leave();
    expect(await (await holder.response).text()).toContain("event: message_stop");
    const response = await post(hasty, t, `after the waiter left ${randomUUID()}`, false);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(upstreamOf(gone)).toBeUndefined();
  });
});
