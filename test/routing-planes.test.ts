import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../controlplane/test-support.js";
import { type SimRequest, startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { type DataPlaneProcess, startDataPlaneProcess, waitForKey } from "./support/dataplane-process.js";
import { postMessages } from "./support/messages.js";
import { createTestPrefix, type TestRedisPrefix } from "./support/redis.js";
import { createTenant, type Tenant, type TenantOptions, waitFor } from "./support/stack.js";

// Two data planes as processes of their own (`tollgate dataplane`), sharing the test's Redis prefix, on
// one control plane (real PostgreSQL) and upstream-sim: sticky sessions, concurrency slots and
// cooldowns hold across data planes (DESIGN §5.6-5.9), as upstream-sim's log shows.

// Waiting requests give up quickly enough that an over-full account shows both outcomes.
const QUEUE_TIMEOUT_MS = 1_500;
// Slots of a data plane that dies lapse this long after their last renewal (every third of it).
const SLOT_LEASE_MS = 6_000;

let sim: UpstreamSim;
let cp: TestControlPlane;
let redis: TestRedisPrefix;
let planes: DataPlaneProcess[] = [];

beforeAll(async () => {
  redis = createTestPrefix();
  [sim, cp] = await Promise.all([startUpstreamSim({ quiet: true }), startTestControlPlane("postgres")]);
  planes = await Promise.all([startPlane(), startPlane()]);
});

function startPlane(): Promise<DataPlaneProcess> {
  return startDataPlaneProcess({
    planeUrl: cp.running.planeUrl,
    redisPrefix: redis.prefix,
    env: { TOLLGATE_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS), TOLLGATE_SLOT_LEASE_MS: String(SLOT_LEASE_MS) },
  });
}

afterAll(async () => {
  await Promise.all(planes.map((plane) => plane.stop()));
  await cp?.close();
  await sim?.close();
  await redis?.cleanup();
});

async function tenant(options: TenantOptions): Promise<Tenant> {
  const t = await createTenant({ admin: cp.admin, sim }, options);
  await Promise.all(planes.map((plane) => waitForKey(plane.url, t.secret)));
  return t;
}

/** Returns once both data planes have every config change made so far (a key made now reached them). */
async function settled(t: Tenant): Promise<void> {
  const { secret } = await cp.admin.keys.createApiKey({ userId: t.user.id, name: "fence", groupId: t.group.id });
  await Promise.all(planes.map((plane) => waitForKey(plane.url, secret)));
}

function client(t: Tenant, plane: number): Anthropic {
  return new Anthropic({ apiKey: t.secret, baseURL: planes[plane]?.url as string, maxRetries: 0 });
}

const MODEL = "claude-opus-4-8";
type Turn = { role: "user" | "assistant"; content: string };

/** A raw Messages request (for statuses and stream text the SDK would turn into exceptions). */
function post(url: string, t: Tenant, content: string, stream: boolean): Promise<Response> {
  return postMessages(url, t.secret, { model: MODEL, max_tokens: 16, stream, messages: [{ role: "user", content }] });
}

/** The account index (in t's accounts) that served the request whose body contains `marker`. */
function accountOf(t: Tenant, marker: string): number {
  const served = sim.requests().filter((r) => r.status === 200 && JSON.stringify(r.body).includes(marker));
  expect(served, `one upstream answer for ${marker}`).toHaveLength(1);
  return t.credentials.indexOf((served[0] as SimRequest).account as string);
}

/** A one-turn conversation of its own (no session id): routed by LRU, so it moves between accounts. */
async function noise(t: Tenant, plane: number): Promise<number> {
  const marker = `noise ${randomUUID()}`;
  await client(t, plane).messages.create({
    model: MODEL,
    max_tokens: 16,
    messages: [{ role: "user", content: marker }],
  });
  return accountOf(t, marker);
}

describe("sticky sessions across data planes", () => {
  it("a Claude Code session id lands on the same account through either data plane", async () => {
    const t = await tenant({ accounts: 3 });
    const session = randomUUID();
    const sessionAccounts: number[] = [];
    const noiseAccounts: number[] = [];
    for (let turn = 0; turn < 6; turn++) {
      const marker = `session turn ${randomUUID()}`;
      await client(t, turn % 2).messages.create(
        { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: marker }] },
        { headers: { "x-claude-code-session-id": session } },
      );
      sessionAccounts.push(accountOf(t, marker));
      noiseAccounts.push(await noise(t, (turn + 1) % 2));
    }
    expect(new Set(sessionAccounts).size, `session turns landed on ${sessionAccounts}`).toBe(1);
    // Requests without the session move between accounts (least recently used first): the session
    // stayed because it is bound, not because there was nowhere else to go.
    expect(noiseAccounts.some((account) => account !== sessionAccounts[0])).toBe(true);
  });

  it("a conversation without an id (its digest chain) stays on one account while each turn goes through the other data plane", async () => {
    const t = await tenant({ accounts: 3 });
    const history: Turn[] = [];
    const conversationAccounts: number[] = [];
    const noiseAccounts: number[] = [];
    for (let turn = 0; turn < 6; turn++) {
      const marker = `digest turn ${turn} ${randomUUID()}`;
      history.push({ role: "user", content: marker });
      const answer = await client(t, turn % 2).messages.create({ model: MODEL, max_tokens: 16, messages: history });
      history.push({ role: "assistant", content: answer.content[0]?.type === "text" ? answer.content[0].text : "" });
      conversationAccounts.push(accountOf(t, marker));
      noiseAccounts.push(await noise(t, (turn + 1) % 2));
    }
    expect(new Set(conversationAccounts).size, `turns landed on ${conversationAccounts}`).toBe(1);
    expect(noiseAccounts.some((account) => account !== conversationAccounts[0])).toBe(true);
  });
});

describe("bindings that can no longer serve", () => {
  it("a session whose account leaves the group, or is rate limited, is bound anew and stays there when the account is back", async () => {
    const t = await tenant({ accounts: 2 });
    const session = randomUUID();
    const turn = async (plane: number): Promise<number> => {
      const marker = `rebound ${randomUUID()}`;
      await client(t, plane).messages.create(
        { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: marker }] },
        { headers: { "x-claude-code-session-id": session } },
      );
      return accountOf(t, marker);
    };
    const home = await turn(0);
    const other = 1 - home;
    const homeId = t.accounts[home]?.id as string;

    await cp.admin.accounts.updateAccount({ id: homeId, groupIds: { values: [] } });
    await settled(t);
    expect(await turn(1)).toBe(other);
    await cp.admin.accounts.updateAccount({ id: homeId, groupIds: { values: [t.group.id] } });
    await settled(t);
    // Least recently used would pick `home` now: only the new binding keeps the session on `other`.
    expect([await turn(0), await turn(1)]).toEqual([other, other]);

    // The bound account answers 429: the turn fails over and the session follows it.
    sim.script(t.credentials[other] as string, [{ kind: "rate-limit", resetSeconds: 60 }]);
    expect(await turn(1)).toBe(home);
    await cp.admin.accounts.clearAccountState({ id: t.accounts[other]?.id as string });
    await settled(t);
    // `other` serves again (a request without the session goes there, least recently used first),
    // and the session stays where it was bound.
    expect([await turn(0), await noise(t, 0), await turn(1), await noise(t, 1)]).toEqual([home, other, home, other]);
  });
});

describe("concurrency slots across data planes", () => {
  it("an account of concurrency 1 never has two requests in flight across both data planes; the excess waits or gets 429 naming the limit", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    const credential = t.credentials[0] as string;
    const chunks = 6;
    const chunkDelayMs = 100;
    sim.script(credential, [{ kind: "reply", chunks, chunkDelayMs, times: 8 }]);
    const mine = () => sim.requests().filter((r) => r.account === credential);

    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, mine().filter((r) => r.outcome === "pending").length);
    }, 5);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const response = await post(planes[i % 2]?.url as string, t, `slot ${i} ${randomUUID()}`, true);
        return { status: response.status, text: await response.text() };
      }),
    );
    clearInterval(sampler);

    // Each data plane alone would let one through: a shared count is what keeps it at one.
    expect(maxInFlight).toBe(1);
    const served = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status !== 200);
    for (const o of served) expect(o.text).toContain("event: message_stop");
    for (const o of refused) {
      expect(o.status).toBe(429);
      expect(JSON.parse(o.text)).toMatchObject({
        type: "error",
        error: { code: "CONCURRENCY_LIMIT", message: expect.stringMatching(/every account of this group is busy/) },
      });
    }
    // Each stream lasts at least (chunks - 1) x chunkDelayMs, so with six sent at once and a 1.5 s
    // queue timeout some wait and are served and some are refused, whatever the machine's speed.
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // Upstream, the served streams came one after another.
    const arrivals = mine()
      .filter((r) => r.status === 200)
      .map((r) => r.time);
    expect(arrivals).toHaveLength(served.length);
    for (let i = 1; i < arrivals.length; i++) {
      expect((arrivals[i] as number) - (arrivals[i - 1] as number)).toBeGreaterThanOrEqual(
        (chunks - 1) * chunkDelayMs - 5,
      );
    }
  });
});

describe("a data plane that dies", () => {
  it("holds its slots until their lease lapses, then the other data planes get them", async () => {
    const t = await tenant({ accounts: 1, concurrency: 1 });
    sim.script(t.credentials[0] as string, [{ kind: "reply", chunks: 200, chunkDelayMs: 100 }]);
    const doomed = await startPlane();
    try {
      await waitForKey(doomed.url, t.secret);
      const marker = `on a doomed plane ${randomUUID()}`;
      // The client's stream dies with its data plane.
      const streaming = post(doomed.url, t, marker, true)
        .then((response) => response.text())
        .catch(() => "");
      await waitFor(
        () => sim.requests().some((r) => r.status === 200 && JSON.stringify(r.body).includes(marker)),
        "the stream to start upstream",
      );
      await doomed.process.stop("SIGKILL");
      const killedAt = Date.now();
      await streaming;

      // The lease was renewed at most a third of it before the kill: it still holds for a while.
      const held = await post(planes[1]?.url as string, t, `still held ${randomUUID()}`, false);
      expect(held.status).toBe(429);
      await held.arrayBuffer();

      // Then a request through the other data plane is served (each try waits in its queue first).
      await waitFor(
        () =>
          noise(t, 1).then(
            () => true,
            () => false,
          ),
        "the dead data plane's slot to lapse",
        SLOT_LEASE_MS + 10_000,
      );
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual((SLOT_LEASE_MS * 2) / 3 - 100);
    } finally {
      await doomed.stop();
    }
  }, 60_000);
});

describe("cooldowns across data planes", () => {
  it("an account rate limited through data plane A is not sent to by data plane B", async () => {
    const t = await tenant({ accounts: 2, priorities: [0, 1] });
    sim.script(t.credentials[0] as string, [{ kind: "rate-limit", resetSeconds: 60 }]);
    const first = `cooldown ${randomUUID()}`;
    await client(t, 0).messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: "user", content: first }] });
    const seen = () =>
      sim
        .requests()
        .filter((r) => r.account !== null && t.credentials.includes(r.account))
        .map((r) => [t.credentials.indexOf(r.account as string), r.status]);
    expect(seen()).toEqual([
      [0, 429],
      [1, 200],
    ]);
    // The admins see it once data plane A reported it; data plane B learned it from Redis long before.
    await waitFor(async () => {
      const { account } = await cp.admin.accounts.getAccount({ id: t.accounts[0]?.id as string });
      const until = account?.state?.rateLimitedUntil;
      return until !== undefined && Number(timestampMs(until)) > Date.now();
    }, "the rate limit to reach the control plane");

    // Account 0 has the better priority: only the shared cooldown keeps B from it.
    for (let i = 0; i < 4; i++) await noise(t, 1);
    expect(seen().slice(2)).toEqual([
      [1, 200],
      [1, 200],
      [1, 200],
      [1, 200],
    ]);
  });
});
