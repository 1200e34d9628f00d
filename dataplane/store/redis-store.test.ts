import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "../../test/support/redis.js";
import { addressOf, monitorCommandsFrom } from "../../test/support/redis-monitor.js";
import { openStore } from "./open-store.js";
import { DEFERRED_MS, openRedisStore } from "./redis-store.js";
import { defineRoutingStoreSuite } from "./routing-store.case.js";
import type { RoutingStore } from "./routing-store.js";

describe("Redis routing store", () =>
  defineRoutingStoreSuite(async () => {
    const { prefix, cleanup } = createTestPrefix();
    const opened: Array<{ store: RoutingStore; redis: Redis }> = [];
    const errors: Error[] = [];
    return {
      // Each data plane on a connection of its own, as separate processes would be.
      async plane(options = {}) {
        const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
        const store = await openRedisStore({
          redis,
          keyPrefix: prefix,
          onError: (error) => errors.push(error),
          ...options,
        });
        opened.push({ store, redis });
        return store;
      },
      async close() {
        for (const { store, redis } of opened) {
          await store.close();
          redis.disconnect();
        }
        await cleanup();
        if (errors.length > 0) throw new AggregateError(errors, "the Redis store reported errors");
      },
    };
  }));

async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe("Redis routing store on the wire", () => {
  let testPrefix: TestRedisPrefix;
  let redis: Redis;
  let admin: Redis;
  let store: RoutingStore;
  const errors: Error[] = [];

  beforeAll(async () => {
    testPrefix = createTestPrefix();
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    store = await openRedisStore({ redis, keyPrefix: testPrefix.prefix, onError: (error) => errors.push(error) });
  });

  afterAll(async () => {
    await store?.close();
    redis?.disconnect();
    admin?.disconnect();
    await testPrefix?.cleanup();
    expect(errors).toEqual([]);
  });

  it("frees the slots of a turn whose script failed: every acquire of it is refused and none holds a slot", async () => {
    const account = `acct-${randomUUID()}`;
    const broken = `user-${randomUUID()}`;
    // A user slots key of the wrong type makes the script fail after the first acquire took its slots.
    await admin.set(`${testPrefix.prefix}slots:user:${broken}`, "not a sorted set");
    const request = (userId: string) => ({
      requestId: randomUUID(),
      groupId: "g",
      sessionKeys: [],
      userId,
      accountsVersion: 0n,
      userConcurrency: 0,
      candidates: [{ id: account, concurrency: 0 }],
    });
    const first = request(`user-${randomUUID()}`);
    const results = await Promise.allSettled([store.acquire(first), store.acquire(request(broken))]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    await eventually(async () => {
      expect(await admin.zscore(`${testPrefix.prefix}slots:account:${account}`, first.requestId)).toBeNull();
      expect(await admin.zscore(`${testPrefix.prefix}slots:user:${first.userId}`, first.requestId)).toBeNull();
    });
    // Freeing the broken user's slots fails the same way, and is reported.
    await eventually(() => expect(errors.some((error) => /WRONGTYPE/.test(error.message))).toBe(true));
    errors.length = 0;
  });

  // MONITOR shows every command the server receives, with the connection it came from (commands a
  // script runs show as "lua"); every other test file's traffic is filtered out by that source.
  it("routes a request in one round trip, and releases, renews and marks in one each", async () => {
    const address = await addressOf(redis);
    const monitor = monitorCommandsFrom(address);
    const { seen } = monitor;
    /** Waits until MONITOR has shown an ECHO sent on the store's connection now; its index in `seen`. */
    const mark = async (): Promise<number> => {
      const marker = `marker-${randomUUID()}`;
      await redis.echo(marker);
      await eventually(() => expect(seen.some((command) => command.includes(marker))).toBe(true));
      return seen.findIndex((command) => command.includes(marker));
    };
    /** The names of the commands op sends on the store's connection, between two markers. */
    const commandsOf = async (op: () => Promise<unknown>): Promise<string[]> => {
      const start = await mark();
      await op();
      // An acquire answered without waiting sends its call within DEFERRED_MS (its timer fires before this one).
      await new Promise((resolve) => setTimeout(resolve, DEFERRED_MS));
      const end = await mark();
      return seen.slice(start + 1, end).map((command) => command.split(" ")[0] ?? "");
    };
    /** One script call: EVAL the first time on a connection, EVALSHA after. */
    const expectOneScript = (names: string[]) => {
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^eval(sha)?$/i);
    };
    try {
      const warmUp = `warm-up-${randomUUID()}`;
      await eventually(async () => {
        await redis.echo(warmUp);
        expect(seen.some((command) => command.includes(warmUp))).toBe(true);
      });
      const group = randomUUID();
      const free = (...ids: string[]) => ids.map((id) => ({ id, concurrency: 0 }));
      const acquire = async (sessionKeys: string[], candidates: Array<{ id: string; concurrency: number }>) =>
        store.acquire({
          requestId: randomUUID(),
          groupId: group,
          sessionKeys,
          userId: "u",
          accountsVersion: 0n,
          userConcurrency: 0,
          candidates,
        });

      const miss = await commandsOf(() => acquire(["h:2", "h:1"], free("a", "b")));
      expectOneScript(miss);

      let held: Awaited<ReturnType<typeof acquire>> | undefined;
      const hit = await commandsOf(async () => {
        held = await acquire(["h:3", "h:2"], free("b", "a"));
      });
      expect(hit).toEqual(["evalsha"]);
      expect(held).toMatchObject({ ok: true, sticky: true, lease: { accountId: "a" } });

      const dropped = await commandsOf(() => acquire(["h:4", "h:3"], free("b")));
      expect(dropped).toEqual(["evalsha"]);

      await acquire([], [{ id: "c", concurrency: 1 }]);
      let refused: Awaited<ReturnType<typeof acquire>> | undefined;
      const full = await commandsOf(async () => {
        refused = await acquire(["h:9"], [{ id: "c", concurrency: 1 }]);
      });
      expect(full).toEqual(["evalsha"]);
      expect(refused).toMatchObject({ ok: false, limit: "account" });

      if (!held?.ok) throw new Error("expected a lease");
      const lease = held.lease;
      expectOneScript(await commandsOf(() => store.renew([lease, { ...lease, requestId: randomUUID() }])));
      expectOneScript(await commandsOf(async () => store.release(lease)));
      expectOneScript(await commandsOf(() => store.mark("a", { kind: "overloaded", until: Date.now() + 60_000 })));
      expect(await commandsOf(async () => store.runtime.get("a"))).toEqual([]);
    } finally {
      monitor.close();
    }
  });

  describe("a session this data plane is serving", () => {
    const group = randomUUID();
    const user = `user-${randomUUID()}`;
    const slotsOf = (account: string) => `${testPrefix.prefix}slots:account:${account}`;
    const bindingOf = (sessionKey: string) => `${testPrefix.prefix}sticky:${group}:${sessionKey}`;
    const acquire = async (
      sessionKeys: string[],
      candidates: Array<{ id: string; concurrency: number }>,
      fields: { accountsVersion?: bigint; userConcurrency?: number } = {},
    ) =>
      store.acquire({
        requestId: randomUUID(),
        groupId: group,
        sessionKeys,
        userId: user,
        accountsVersion: 0n,
        userConcurrency: 0,
        candidates,
        ...fields,
      });

    /**
     * Runs op while the store's connection is held behind a BLPOP (Redis answers one connection's
     * commands in order), then lets it go: says whether op was answered before Redis answered anything.
     */
    async function answeredWhileRedisHeld<T>(op: () => Promise<T>): Promise<{ before: boolean; result: T }> {
      const key = `${testPrefix.prefix}hold:${randomUUID()}`;
      const order: string[] = [];
      const held = redis.blpop(key, 0).then(() => order.push("redis"));
      const answered = op().then((result) => {
        order.push("op");
        return result;
      });
      await new Promise((resolve) => setImmediate(resolve));
      await admin.lpush(key, "go");
      const [result] = await Promise.all([answered, held]);
      return { before: order[0] === "op", result };
    }

    it("is routed without waiting for Redis when no limit applies; the call behind it takes the slot and binds", async () => {
      const first = await acquire(
        ["c:1"],
        [
          { id: "a", concurrency: 0 },
          { id: "b", concurrency: 0 },
        ],
      );
      expect(first).toMatchObject({ ok: true, lease: { accountId: "a" } });

      const { before, result } = await answeredWhileRedisHeld(() =>
        acquire(
          ["c:2", "c:1"],
          [
            { id: "b", concurrency: 0 },
            { id: "a", concurrency: 0 },
          ],
        ),
      );
      expect(before).toBe(true);
      expect(result).toMatchObject({ ok: true, sticky: true, lease: { accountId: "a" } });
      if (!result.ok) throw new Error("expected a lease");
      await eventually(async () => {
        expect(await admin.zscore(slotsOf("a"), result.lease.requestId)).not.toBeNull();
        expect(await admin.get(bindingOf("c:2"))).toBe("a");
      });
      await store.release(result.lease);
      expect(await admin.zscore(slotsOf("a"), result.lease.requestId)).toBeNull();
    });

    it("leaves no slot behind when the request is over before its call went out", async () => {
      await acquire(["o:1"], [{ id: "a", concurrency: 0 }]);
      const result = await acquire(["o:2", "o:1"], [{ id: "a", concurrency: 0 }]);
      if (!result.ok) throw new Error("expected a lease");
      // Both wait for the same deferred call: the script sees the acquire and its release together.
      await store.release(result.lease);
      expect(await admin.zscore(slotsOf("a"), result.lease.requestId)).toBeNull();
      expect(await admin.zscore(`${testPrefix.prefix}slots:user:${user}`, result.lease.requestId)).toBeNull();
      expect(await admin.get(bindingOf("o:2"))).toBe("a");
    });

    it("waits for Redis under a limit, for a session new here, and after accounts or their state changed", async () => {
      const free = [{ id: "a", concurrency: 0 }];
      await acquire(["l:1"], free);
      const limited = await answeredWhileRedisHeld(() => acquire(["l:2", "l:1"], [{ id: "a", concurrency: 5 }]));
      expect(limited.before).toBe(false);
      expect(limited.result).toMatchObject({ ok: true, sticky: true, lease: { accountId: "a" } });

      const user = await answeredWhileRedisHeld(() => acquire(["l:3", "l:2"], free, { userConcurrency: 50 }));
      expect(user.before).toBe(false);

      const fresh = await answeredWhileRedisHeld(() => acquire([`l:${randomUUID()}`], free));
      expect(fresh.before).toBe(false);

      // The session is known here again (l:3 was bound above); a config change to the accounts...
      expect((await answeredWhileRedisHeld(() => acquire(["l:4", "l:3"], free))).before).toBe(true);
      const reconfigured = await answeredWhileRedisHeld(() => acquire(["l:5", "l:4"], free, { accountsVersion: 1n }));
      expect(reconfigured.before).toBe(false);
      // ...or a change to any account's state, from any data plane, sends the next request to Redis.
      expect((await answeredWhileRedisHeld(() => acquire(["l:6", "l:5"], free, { accountsVersion: 1n }))).before).toBe(
        true,
      );
      await store.mark(`other-${randomUUID()}`, { kind: "overloaded", until: Date.now() + 60_000 });
      const marked = await answeredWhileRedisHeld(() => acquire(["l:7", "l:6"], free, { accountsVersion: 1n }));
      expect(marked.before).toBe(false);
    });
  });

  it("reloads the account state when its listening connection comes back", async () => {
    const { prefix, cleanup } = createTestPrefix();
    const planeRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const plane = await openRedisStore({ redis: planeRedis, keyPrefix: prefix, onError: () => {} });
    try {
      // A change this plane never hears of, as one published while its connection is down would be.
      await admin.hset(`${prefix}runtime`, "a", JSON.stringify({ errorMessage: "upstream 401" }));
      await admin.incr(`${prefix}runtime:version`);
      expect(plane.runtime.get("a")).toBeUndefined();

      const clients = String(await admin.call("CLIENT", "LIST", "TYPE", "pubsub"));
      const listener = clients.split("\n").find((line) => line.includes(` name=${prefix}listener `));
      const id = /(?:^|\s)id=(\d+)/.exec(listener ?? "")?.[1];
      if (!id) throw new Error(`no listener connection named ${prefix}listener in ${clients}`);
      await admin.client("KILL", "ID", id);

      await eventually(() =>
        expect(plane.runtime.get("a")).toMatchObject({ inError: true, errorMessage: "upstream 401" }),
      );
      // And it listens again afterwards.
      const other = await openRedisStore({ redis: admin, keyPrefix: prefix, onError: () => {} });
      await other.mark("a", { kind: "overloaded", until: Date.now() + 60_000 });
      await eventually(() => expect(plane.runtime.get("a")?.overloadedUntil).toBeGreaterThan(Date.now()));
      await other.close();
    } finally {
      await plane.close();
      planeRedis.disconnect();
      await cleanup();
    }
  });

  it("refuses a connection with a key prefix of its own", async () => {
    const prefixed = new Redis(REDIS_URL, { keyPrefix: "x:", lazyConnect: true });
    await expect(openRedisStore({ redis: prefixed, onError: () => {} })).rejects.toThrow(/keyPrefix/);
    prefixed.disconnect();
  });
});

describe("Redis routing store through openStore", () => {
  it("sends a release still waiting for its turn before the connection closes", async () => {
    const { prefix, cleanup } = createTestPrefix();
    const onError = () => {};
    const closing = await openStore({ redisUrl: REDIS_URL, keyPrefix: prefix, onError });
    const other = await openStore({ redisUrl: REDIS_URL, keyPrefix: prefix, onError });
    try {
      const request = (requestId: string) => ({
        requestId,
        groupId: "g",
        sessionKeys: [],
        userId: "u",
        accountsVersion: 0n,
        userConcurrency: 0,
        candidates: [{ id: "a", concurrency: 1 }],
      });
      const held = await closing.store.acquire(request("r-1"));
      if (!held.ok) throw new Error("expected the slot");
      const released = closing.store.release(held.lease);
      await closing.close();
      await released;
      expect((await other.store.acquire(request("r-2"))).ok).toBe(true);
      await expect(closing.store.release(held.lease)).rejects.toThrow("closed");
    } finally {
      await other.close();
      await cleanup();
    }
  });
});
