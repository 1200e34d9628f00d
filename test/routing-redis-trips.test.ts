import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sample, scrape } from "./support/metrics.js";
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "./support/redis.js";
import { addressOf, type Monitor, monitorCommands } from "./support/redis-monitor.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// DESIGN §7: at most one Redis round trip for sticky + slot together. MONITOR (on its own socket)
// shows what the data plane sends for one request on the happy path: for a session new to it, the
// route script carrying its acquire (session lookup, slot, binding and last use in one EVALSHA) before
// the upstream call, and the route script carrying its release after the answer (with other requests
// in flight, the calls of one event-loop turn share one EVALSHA). For a session it is serving, under
// no concurrency limit (as here), the acquire is sent behind the request instead, not waited for
// (known-bindings.ts); a request over before that call went out has its acquire and release in one.
// The data plane's command connection is the one that sends the first acquire (its keys carry the
// test's own prefix); everything it sends is counted. ECHO markers sent on the test's own connection
// fence one request's commands.

const MODEL = "claude-opus-4-8";

let redis: TestRedisPrefix;
let stack: Stack;
let fence: Redis;
let monitor: Monitor;
let t: Tenant;

beforeAll(async () => {
  redis = createTestPrefix();
  stack = await startStack({ dataPlane: { redisUrl: REDIS_URL, redisKeyPrefix: redis.prefix } });
  fence = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const fenceAddress = await addressOf(fence);
  let planeAddress: string | undefined;
  monitor = monitorCommands((source, command) => {
    if (source === fenceAddress) return true;
    if (planeAddress === undefined && source !== "lua" && isAcquire(command)) planeAddress = source;
    return source === planeAddress;
  });
  t = await createTenant(stack, { accounts: 3 });
  // The scripts are loaded (EVAL once per connection) and MONITOR is running before anything is counted.
  await anthropic().messages.create(ask(`warm-up ${randomUUID()}`));
  await mark();
});

afterAll(async () => {
  monitor?.close();
  fence?.disconnect();
  await stack?.close();
  await redis?.cleanup();
});

function anthropic(): Anthropic {
  return new Anthropic({ apiKey: t.secret, baseURL: stack.dp.url, maxRetries: 0 });
}

function ask(content: string) {
  return { model: MODEL, max_tokens: 16, messages: [{ role: "user" as const, content }] };
}

/** Sends an ECHO on the test's connection and waits until MONITOR shows it; its index in `seen`. */
async function mark(): Promise<number> {
  const marker = `${redis.prefix}marker-${randomUUID()}`;
  await fence.echo(marker);
  await waitFor(() => monitor.seen.some((command) => command.includes(marker)), "MONITOR to show the marker");
  return monitor.seen.findIndex((command) => command.includes(marker));
}

interface RouteCall {
  /** Each acquire: "route" (waited for), "behind" (sent behind the request), "over" (behind, released with it). */
  acquires: Array<{ kind: "route" | "behind" | "over"; requestId: string }>;
  /** The request ids released. */
  releases: string[];
}

/**
 * The acquires and releases one route script call carries (redis-scripts.ts ROUTE): ARGV holds the
 * number of releases, three arguments each (the request id first), then per acquire five counts-led
 * arguments (the request id first, the kind last) and two per candidate. EVAL counts too: it is what
 * ioredis sends when Redis does not know the script yet. Undefined for any other command.
 */
function routeCalls(command: string): RouteCall | undefined {
  if (!/^eval(sha)? /.test(command) || !command.includes(`"${redis.prefix}last-used"`)) return undefined;
  const tokens = [...command.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] as string);
  const args = tokens.slice(2 + Number(tokens[1]));
  const releaseCount = Number(args[3]);
  const releases = Array.from({ length: releaseCount }, (_, i) => args[4 + 3 * i] as string);
  const kinds = { "0": "route", "1": "behind", "2": "over" } as const;
  const acquires: RouteCall["acquires"] = [];
  for (let at = 4 + 3 * releaseCount; at < args.length; at += 5 + 2 * Number(args[at + 3])) {
    acquires.push({ kind: kinds[args[at + 4] as keyof typeof kinds], requestId: args[at] as string });
  }
  return { acquires, releases };
}

/** A call's acquire kinds and number of releases, for comparing. */
function shape(call: RouteCall | undefined): { acquires: string[]; releases: number } | undefined {
  return call && { acquires: call.acquires.map((acquire) => acquire.kind), releases: call.releases.length };
}

const isAcquire = (command: string) => (routeCalls(command)?.acquires.length ?? 0) > 0;

/** The requests whose slot the commands took and did not release (by id: a retried call counts once). */
function slotsHeld(commands: string[]): Set<string> {
  const held = new Set<string>();
  for (const call of commands.map(routeCalls)) {
    // A call runs its releases before its acquires; an acquire over before it went out took no slot.
    for (const requestId of call?.releases ?? []) held.delete(requestId);
    for (const { kind, requestId } of call?.acquires ?? []) if (kind !== "over") held.add(requestId);
  }
  return held;
}

/** The data plane's commands while `request` runs and its slot is released afterwards. */
async function commandsOf(request: () => Promise<unknown>): Promise<string[]> {
  // Once every earlier request's slot is released (a release may wait up to 10 ms to share a call),
  // the window holds only this request's commands. A marker first: MONITOR shows commands in the order
  // Redis ran them, and an earlier request's acquire ran before that request was answered, so once the
  // marker shows, so does every earlier acquire; without it the wait could pass before MONITOR had
  // shown one, and its release then fell inside this window.
  await mark();
  await waitFor(() => slotsHeld(monitor.seen).size === 0, "earlier requests' slot releases");
  const start = await mark();
  await request();
  // The release is sent after the answer, off its critical path: wait for it.
  await waitFor(() => {
    const window = monitor.seen.slice(start + 1);
    return window.some(isAcquire) && slotsHeld(window).size === 0;
  }, "the slot release");
  const end = await mark();
  return monitor.seen.slice(start + 1, end);
}

function names(commands: string[]): string[] {
  return commands.map((command) => command.split(" ")[0] ?? "");
}

describe("Redis round trips of one request", () => {
  it("a new conversation: one EVALSHA routes it (session, slot, binding), one releases the slot after", async () => {
    const commands = await commandsOf(() => anthropic().messages.create(ask(`new ${randomUUID()}`)));
    expect(names(commands)).toEqual(["evalsha", "evalsha"]);
    expect(commands.map((command) => shape(routeCalls(command)))).toEqual([
      { acquires: ["route"], releases: 0 },
      { acquires: [], releases: 1 },
    ]);
  });

  /** The next request of a known session: its acquire behind it, with its release or before it. */
  const expectBehind = (commands: string[]) => {
    expect(names(commands).every((name) => name === "evalsha")).toBe(true);
    const calls = commands.map((command) => shape(routeCalls(command)));
    const acquires = calls.flatMap((call) => call?.acquires ?? []);
    if (acquires[0] === "over") expect(calls).toEqual([{ acquires: ["over"], releases: 0 }]);
    else
      expect(calls).toEqual([
        { acquires: ["behind"], releases: 0 },
        { acquires: [], releases: 1 },
      ]);
  };

  it("the next turn of a conversation (a sticky hit): its acquire behind it; a new streamed one: the same two", async () => {
    const first = ask(`sticky ${randomUUID()}`);
    const answer = await anthropic().messages.create(first);
    const next = {
      ...first,
      messages: [
        ...first.messages,
        { role: "assistant" as const, content: answer.content[0]?.type === "text" ? answer.content[0].text : "" },
        { role: "user" as const, content: "and again" },
      ],
    };
    const turn = await commandsOf(() => anthropic().messages.create(next));
    expectBehind(turn);
    // The binding the first turn made is among the keys the acquire looked up.
    expect(turn[0]).toContain(`"${redis.prefix}sticky:${t.group.id}:h:`);

    const streamed = await commandsOf(() =>
      anthropic()
        .messages.stream(ask(`stream ${randomUUID()}`))
        .finalText(),
    );
    expect(streamed.map((command) => shape(routeCalls(command)))).toEqual([
      { acquires: ["route"], releases: 0 },
      { acquires: [], releases: 1 },
    ]);
  });

  it("a Claude Code session id: its next request's acquire goes behind it", async () => {
    const session = randomUUID();
    const request = () =>
      anthropic().messages.create(ask(`session ${randomUUID()}`), { headers: { "x-claude-code-session-id": session } });
    await request();
    const commands = await commandsOf(request);
    expectBehind(commands);
    expect(commands[0]).toContain(`"${redis.prefix}sticky:${t.group.id}:id:${session}"`);
  });

  it("counts in /metrics which routing decisions waited for a round trip", async () => {
    const acquires = async (roundTrip: boolean) =>
      sample(await scrape(stack.dp.url), "tollgate_routing_acquires_total", { round_trip: String(roundTrip) });
    const before = { waited: await acquires(true), local: await acquires(false) };
    const conversation = ask(`counted ${randomUUID()}`);
    await anthropic().messages.create(conversation);
    expect(await acquires(true)).toBe(before.waited + 1);
    expect(await acquires(false)).toBe(before.local);
    await anthropic().messages.create(conversation);
    await anthropic().messages.create(conversation);
    expect(await acquires(true)).toBe(before.waited + 1);
    expect(await acquires(false)).toBe(before.local + 2);
    expect(sample(await scrape(stack.dp.url), "tollgate_routing_known_sessions")).toBeGreaterThanOrEqual(1);
  });
});
