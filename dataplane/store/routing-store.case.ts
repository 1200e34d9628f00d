import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcquireCandidate, AcquireRequest, AcquireResult, RoutingStore, SlotLease } from "./routing-store.js";

// The routing store's behaviour, written once and run against Redis (redis-store.test.ts) and memory
// (memory-store.test.ts). A harness opens stores over one shared state, each standing for a data
// plane: for Redis, each on its own connection.

export interface PlaneOptions {
  readonly slotLeaseMs?: number;
  readonly stickyTtlMs?: number;
}

export interface StoreHarness {
  /** A store for one more data plane over the harness's shared state; closed by the harness. */
  plane(options?: PlaneOptions): Promise<RoutingStore>;
  close(): Promise<void>;
}

const POLL_TIMEOUT_MS = 10_000;

/** Polls until check passes (generous bound: asserts eventual behaviour, not timing). */
async function eventually(check: () => void | Promise<void>): Promise<void> {
  const deadline = Date.now() + POLL_TIMEOUT_MS;
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

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

function leaseOf(result: AcquireResult): SlotLease {
  if (!result.ok) throw new Error(`expected a slot, got limit "${result.limit}"`);
  return result.lease;
}

function accountOf(result: AcquireResult): string {
  return leaseOf(result).accountId;
}

export function defineRoutingStoreSuite(openHarness: () => Promise<StoreHarness>): void {
  let harness: StoreHarness;
  let store: RoutingStore;
  let other: RoutingStore;
  beforeAll(async () => {
    harness = await openHarness();
    store = await harness.plane();
    other = await harness.plane();
  });
  afterAll(() => harness?.close());

  // Each test works on ids of its own, so tests never see each other's state.
  const ids = () => ({ group: unique("g"), user: unique("u"), a: unique("a"), b: unique("b"), c: unique("c") });

  const request = (fields: Partial<AcquireRequest> & Pick<AcquireRequest, "candidates">): AcquireRequest => ({
    requestId: unique("req"),
    groupId: "g",
    sessionKeys: [],
    userId: unique("u"),
    accountsVersion: 0n,
    userConcurrency: 0,
    ...fields,
  });

  const free = (...accountIds: string[]): AcquireCandidate[] => accountIds.map((id) => ({ id, concurrency: 0 }));

  describe("sticky sessions", () => {
    it("sends the same session to the same account, from any data plane", async () => {
      const { group, a, b } = ids();
      const first = await store.acquire(request({ groupId: group, sessionKeys: ["id:s1"], candidates: free(a, b) }));
      expect(accountOf(first)).toBe(a);
      expect(first.ok && first.sticky).toBe(false);

      const again = await other.acquire(request({ groupId: group, sessionKeys: ["id:s1"], candidates: free(b, a) }));
      expect(accountOf(again)).toBe(a);
      expect(again.ok && again.sticky).toBe(true);

      const fresh = await other.acquire(request({ groupId: group, sessionKeys: ["id:s2"], candidates: free(b, a) }));
      expect(accountOf(fresh)).toBe(b);
    });

    it("finds a conversation's binding through the longest stored prefix, then binds the longest key", async () => {
      const { group, a, b } = ids();
      await store.acquire(request({ groupId: group, sessionKeys: ["h:1"], candidates: free(a, b) }));

      const next = await store.acquire(
        request({ groupId: group, sessionKeys: ["h:3", "h:2", "h:1"], candidates: free(b, a) }),
      );
      expect(accountOf(next)).toBe(a);
      expect(next.ok && next.sticky).toBe(true);

      const continued = await store.acquire(request({ groupId: group, sessionKeys: ["h:3"], candidates: free(b, a) }));
      expect(accountOf(continued)).toBe(a);
    });

    it("keeps bindings per group", async () => {
      const { group, a, b } = ids();
      await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a, b) }));
      const elsewhere = await store.acquire(
        request({ groupId: `${group}-other`, sessionKeys: ["id:s"], candidates: free(b, a) }),
      );
      expect(accountOf(elsewhere)).toBe(b);
      expect(elsewhere.ok && elsewhere.sticky).toBe(false);
    });

    it("drops a binding to an account that is no longer a candidate and binds the one chosen", async () => {
      const { group, a, b } = ids();
      await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a, b) }));

      const moved = await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(b) }));
      expect(accountOf(moved)).toBe(b);
      expect(moved.ok && moved.sticky).toBe(false);

      const back = await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a, b) }));
      expect(accountOf(back)).toBe(b);
      expect(back.ok && back.sticky).toBe(true);
    });

    it("drops an ineligible binding even when no slot is free", async () => {
      const { group, a, b } = ids();
      await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a) }));
      await store.acquire(request({ candidates: [{ id: b, concurrency: 1 }] }));

      const full = await store.acquire(
        request({ groupId: group, sessionKeys: ["id:s"], candidates: [{ id: b, concurrency: 1 }] }),
      );
      expect(full).toMatchObject({ ok: false, limit: "account" });
      const later = await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(b, a) }));
      expect(accountOf(later)).toBe(b);
    });

    it("moves the session when its bound account is full", async () => {
      const { group, a, b } = ids();
      const one = (id: string) => ({ id, concurrency: 1 });
      const held = await store.acquire(
        request({ groupId: group, sessionKeys: ["id:s"], candidates: [one(a), one(b)] }),
      );
      expect(accountOf(held)).toBe(a);

      const overflow = await store.acquire(
        request({ groupId: group, sessionKeys: ["id:s"], candidates: [one(a), one(b)] }),
      );
      expect(accountOf(overflow)).toBe(b);
      expect(overflow.ok && overflow.sticky).toBe(false);
      await store.release(leaseOf(held));

      const after = await store.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a, b) }));
      expect(accountOf(after)).toBe(b);
    });

    it("binds nothing for a request without session keys", async () => {
      const { group, a, b } = ids();
      expect(accountOf(await store.acquire(request({ groupId: group, candidates: free(a, b) })))).toBe(a);
      const later = await store.acquire(request({ groupId: group, candidates: free(b, a) }));
      expect(accountOf(later)).toBe(b);
      expect(later.ok && later.sticky).toBe(false);
    });

    it("follows a session another data plane moved, from its next request but one at the latest", async () => {
      // The hint this data plane keeps of its sessions (Redis) may route one more request the old way.
      const { group, a, b } = ids();
      expect(
        accountOf(await store.acquire(request({ groupId: group, sessionKeys: ["h:1"], candidates: free(a, b) }))),
      ).toBe(a);
      // On the other data plane a cannot serve (say it saw a fail first): the session moves to b.
      const moved = await other.acquire(request({ groupId: group, sessionKeys: ["h:2", "h:1"], candidates: free(b) }));
      expect(accountOf(moved)).toBe(b);

      const next = await store.acquire(
        request({ groupId: group, sessionKeys: ["h:3", "h:2", "h:1"], candidates: free(a, b) }),
      );
      await store.release(leaseOf(next));
      const after = await store.acquire(
        request({ groupId: group, sessionKeys: ["h:4", "h:3", "h:2", "h:1"], candidates: free(a, b) }),
      );
      expect(accountOf(after)).toBe(b);
      expect(after.ok && after.sticky).toBe(true);
      // The binding stayed where the other data plane put it.
      const there = await other.acquire(request({ groupId: group, sessionKeys: ["h:4"], candidates: free(a, b) }));
      expect(accountOf(there)).toBe(b);
    });

    it("binds a session outright, for every data plane", async () => {
      const { group, a, b } = ids();
      await other.bind(group, "id:resp_1", b);
      const acquired = await store.acquire(
        request({ groupId: group, sessionKeys: ["id:resp_1"], candidates: free(a, b) }),
      );
      expect(accountOf(acquired)).toBe(b);
      expect(acquired.ok && acquired.sticky).toBe(true);
    });

    it("forgets a binding after its TTL", async () => {
      const shortLived = await harness.plane({ stickyTtlMs: 200 });
      const { group, a, b } = ids();
      await shortLived.acquire(request({ groupId: group, sessionKeys: ["id:s"], candidates: free(a, b) }));
      await eventually(async () => {
        const result = await shortLived.acquire(
          request({ groupId: group, sessionKeys: [unique("id:other"), "id:s"], candidates: free(b, a) }),
        );
        expect(accountOf(result)).toBe(b);
      });
    });
  });

  describe("concurrency slots", () => {
    it("holds account limits under concurrent acquires from two data planes", async () => {
      const { a, b } = ids();
      const candidates = [
        { id: a, concurrency: 3 },
        { id: b, concurrency: 2 },
      ];
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? store : other).acquire(request({ candidates }))),
      );
      const granted = results.filter((result) => result.ok).map(accountOf);
      expect(granted.filter((id) => id === a)).toHaveLength(3);
      expect(granted.filter((id) => id === b)).toHaveLength(2);
      expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.limit === "account")).toBe(
        true,
      );
      expect(results.filter((result) => !result.ok)).toHaveLength(19);
    });

    it("holds a user's limit under concurrent acquires from two data planes", async () => {
      const { user, a, b } = ids();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : other).acquire(request({ userId: user, userConcurrency: 2, candidates: free(a, b) })),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(2);
      expect(results.filter((result) => !result.ok && result.limit === "user")).toHaveLength(18);
    });

    it("reports which limit refused: the user's before the accounts'", async () => {
      const { user, a } = ids();
      const one = [{ id: a, concurrency: 1 }];
      await store.acquire(request({ userId: user, userConcurrency: 1, candidates: free(a) }));

      const userFull = await store.acquire(request({ userId: user, userConcurrency: 1, candidates: free(a) }));
      expect(userFull).toMatchObject({ ok: false, limit: "user" });

      await store.acquire(request({ candidates: one }));
      const accountFull = await store.acquire(request({ userId: unique("u"), userConcurrency: 1, candidates: one }));
      expect(accountFull).toMatchObject({ ok: false, limit: "account" });

      const bothFull = await store.acquire(request({ userId: user, userConcurrency: 1, candidates: one }));
      expect(bothFull).toMatchObject({ ok: false, limit: "user" });
    });

    it("answers acquires of different shapes made at once each as its own", async () => {
      // Different numbers of session keys and candidates side by side (Redis sends them in one call).
      const { group, a, b, c } = ids();
      await store.bind(group, "k2", c);
      await store.bind(group, "k3-short", a);
      const shapes: Array<{ sessionKeys: string[]; candidates: AcquireCandidate[]; account: string; sticky: boolean }> =
        [
          { sessionKeys: [], candidates: free(b), account: b, sticky: false },
          { sessionKeys: ["k2"], candidates: free(a, b, c), account: c, sticky: true },
          { sessionKeys: ["k3-long", "k3-short"], candidates: free(b, a), account: a, sticky: true },
          { sessionKeys: ["k4"], candidates: [{ id: a, concurrency: 1 }, ...free(c)], account: c, sticky: false },
        ];
      // The fourth request's first candidate is full once the third holds its slot (limit 1 of a).
      const results = await Promise.all(
        shapes.map((shape) =>
          store.acquire(request({ groupId: group, sessionKeys: shape.sessionKeys, candidates: shape.candidates })),
        ),
      );
      results.forEach((result, i) => {
        const shape = shapes[i] as (typeof shapes)[number];
        expect(accountOf(result)).toBe(shape.account);
        expect(result.ok && result.sticky).toBe(shape.sticky);
      });
      expect(store.runtime.get(a)?.inFlight).toBe(1);
    });

    it("gives a slot released and asked for at the same moment to the one asking", async () => {
      const { a } = ids();
      const one = [{ id: a, concurrency: 1 }];
      const held = leaseOf(await store.acquire(request({ candidates: one })));
      const [, next] = await Promise.all([store.release(held), store.acquire(request({ candidates: one }))]);
      expect(accountOf(next)).toBe(a);
    });

    it("treats 0 as unlimited for users and accounts", async () => {
      const { user, a } = ids();
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          store.acquire(request({ userId: user, userConcurrency: 0, candidates: free(a) })),
        ),
      );
      expect(results.every((result) => result.ok)).toBe(true);
    });

    it("frees both slots on release and tells every data plane", async () => {
      const { user, a } = ids();
      const freed: string[] = [];
      const unsubscribe = other.onSlotFreed((requestId) => freed.push(requestId));
      try {
        const candidates = [{ id: a, concurrency: 1 }];
        const held = leaseOf(await store.acquire(request({ userId: user, userConcurrency: 1, candidates })));
        expect(await store.acquire(request({ userId: user, userConcurrency: 1, candidates }))).toMatchObject({
          ok: false,
        });

        await store.release(held);
        await eventually(() => expect(freed).toContain(held.requestId));
        expect(accountOf(await other.acquire(request({ userId: user, userConcurrency: 1, candidates })))).toBe(a);
      } finally {
        unsubscribe();
      }
    });

    it("does not announce a release of a slot already gone", async () => {
      const { a } = ids();
      const single = [{ id: a, concurrency: 1 }];
      const freed: string[] = [];
      const unsubscribe = other.onSlotFreed((requestId) => freed.push(requestId));
      try {
        const held = leaseOf(await store.acquire(request({ candidates: single })));
        await store.release(held);
        await store.release(held);
        const marker = leaseOf(await store.acquire(request({ candidates: single })));
        await store.release(marker);
        await eventually(() => expect(freed).toContain(marker.requestId));
        expect(freed.filter((id) => id === held.requestId)).toHaveLength(1);
      } finally {
        unsubscribe();
      }
    });

    it("frees every slot when many requests end at once", async () => {
      const { user, a } = ids();
      const candidates = [{ id: a, concurrency: 3 }];
      const take = () => store.acquire(request({ userId: user, userConcurrency: 3, candidates }));
      const held = await Promise.all([take(), take(), take()]);
      expect((await take()).ok).toBe(false);
      await Promise.all(held.map((result) => store.release(leaseOf(result))));
      expect((await Promise.all([take(), take(), take()])).every((result) => result.ok)).toBe(true);
    });

    it("announces only releases from a set at its limit: nobody can wait on one with room", async () => {
      const { user, a, b } = ids();
      const freed: string[] = [];
      const unsubscribe = other.onSlotFreed((requestId) => freed.push(requestId));
      try {
        const roomy = [{ id: a, concurrency: 3 }];
        const unlimited = leaseOf(await store.acquire(request({ candidates: free(a) })));
        const belowLimit = leaseOf(await store.acquire(request({ candidates: roomy })));
        await store.release(unlimited);
        await store.release(belowLimit);
        // A user at its limit of one, on an account with room: the user's set is full.
        const userFull = leaseOf(
          await store.acquire(request({ userId: user, userConcurrency: 1, candidates: free(b) })),
        );
        await store.release(userFull);
        await eventually(() => expect(freed).toContain(userFull.requestId));
        // Announcements of earlier tests' releases may still arrive: only this test's leases count.
        expect(freed).not.toContain(unlimited.requestId);
        expect(freed).not.toContain(belowLimit.requestId);
      } finally {
        unsubscribe();
      }
    });

    it("frees a crashed data plane's slot once its lease expires", async () => {
      const crashing = await harness.plane({ slotLeaseMs: 300 });
      const { a } = ids();
      const candidates = [{ id: a, concurrency: 1 }];
      leaseOf(await crashing.acquire(request({ candidates })));
      await crashing.close();

      expect(await store.acquire(request({ candidates }))).toMatchObject({ ok: false, limit: "account" });
      await eventually(async () => expect(accountOf(await store.acquire(request({ candidates })))).toBe(a));
    });

    it("keeps a renewed lease past its first expiry, and lets it lapse when renewal stops", async () => {
      const renewing = await harness.plane({ slotLeaseMs: 1000 });
      const { user, a } = ids();
      const candidates = [{ id: a, concurrency: 1 }];
      const held = leaseOf(await renewing.acquire(request({ userId: user, userConcurrency: 1, candidates })));

      const startedAt = Date.now();
      while (Date.now() - startedAt < 2500) {
        await renewing.renew([held]);
        expect(await store.acquire(request({ candidates }))).toMatchObject({ ok: false, limit: "account" });
        expect(await store.acquire(request({ userId: user, userConcurrency: 1, candidates: free(a) }))).toMatchObject({
          ok: false,
          limit: "user",
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await eventually(async () => expect(accountOf(await store.acquire(request({ candidates })))).toBe(a));
    });

    it("never resurrects an expired lease on renew", async () => {
      const stalled = await harness.plane({ slotLeaseMs: 100 });
      const { a } = ids();
      const candidates = [{ id: a, concurrency: 1 }];
      const held = leaseOf(await stalled.acquire(request({ candidates })));
      // Well past the lease, with nobody acquiring meanwhile: expired, still in the set.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stalled.renew([held]);
      expect(accountOf(await other.acquire(request({ candidates })))).toBe(a);
    });

    it("never resurrects a released lease on renew", async () => {
      const { a } = ids();
      const candidates = [{ id: a, concurrency: 1 }];
      const held = leaseOf(await store.acquire(request({ candidates })));
      await store.release(held);
      await store.renew([held]);
      expect(accountOf(await other.acquire(request({ candidates })))).toBe(a);
    });

    it("refreshes the local view with every candidate's load", async () => {
      const { a, b, c } = ids();
      const candidates = [
        { id: a, concurrency: 1 },
        { id: b, concurrency: 5 },
        { id: c, concurrency: 5 },
      ];
      const before = Date.now();
      await other.acquire(request({ candidates }));
      await other.acquire(request({ candidates }));
      const result = await store.acquire(request({ candidates }));

      expect(accountOf(result)).toBe(b);
      expect(store.runtime.get(a)?.inFlight).toBe(1);
      expect(store.runtime.get(b)?.inFlight).toBe(2);
      expect(store.runtime.get(c)).toMatchObject({ inFlight: 0, lastUsedAt: 0 });
      const lastUsedA = store.runtime.get(a)?.lastUsedAt ?? 0;
      expect(lastUsedA).toBeGreaterThan(before - 60_000);
      expect(lastUsedA).toBeLessThan(Date.now() + 60_000);
      expect(store.runtime.get(b)?.lastUsedAt).toBeGreaterThanOrEqual(lastUsedA);
    });

    it("refuses an empty candidate list", async () => {
      expect(() => store.acquire(request({ candidates: [] }))).toThrow(RangeError);
    });
  });

  describe("account runtime state", () => {
    it("shows a mark made on one data plane in every data plane's local view", async () => {
      const { a } = ids();
      const until = Date.now() + 60_000;
      await store.mark(a, { kind: "rate_limited", until });
      expect(store.runtime.get(a)).toMatchObject({ rateLimitedUntil: until });
      await eventually(() => expect(other.runtime.get(a)).toMatchObject({ rateLimitedUntil: until }));

      await other.clear(a);
      expect(other.runtime.get(a)?.rateLimitedUntil).toBeUndefined();
      await eventually(() => expect(store.runtime.get(a)?.rateLimitedUntil).toBeUndefined());
    });

    it("records each kind of mark", async () => {
      const { a } = ids();
      const until = Date.now() + 60_000;
      await store.mark(a, { kind: "overloaded", until });
      await store.mark(a, { kind: "temp_unschedulable", until: until + 1, reason: "empty stream" });
      await store.mark(a, { kind: "error", reason: "upstream 401: invalid x-api-key" });
      await store.mark(a, { kind: "none" });
      const expected = {
        overloadedUntil: until,
        tempUnschedulableUntil: until + 1,
        tempUnschedulableReason: "empty stream",
        inError: true,
        errorMessage: "upstream 401: invalid x-api-key",
      };
      expect(store.runtime.get(a)).toEqual(expected);
      await eventually(() => expect(other.runtime.get(a)).toEqual(expected));
    });

    it("never shortens another data plane's cooldown; clear ends it", async () => {
      const { a } = ids();
      const later = Date.now() + 600_000;
      await store.mark(a, { kind: "rate_limited", until: later });
      await other.mark(a, { kind: "rate_limited", until: Date.now() + 60_000 });
      expect(other.runtime.get(a)?.rateLimitedUntil).toBe(later);

      await other.clear(a);
      await other.mark(a, { kind: "rate_limited", until: later - 1 });
      expect(other.runtime.get(a)?.rateLimitedUntil).toBe(later - 1);
      await eventually(() => expect(store.runtime.get(a)?.rateLimitedUntil).toBe(later - 1));
    });

    it("ignores a cooldown that has already ended", async () => {
      const { a } = ids();
      await store.mark(a, { kind: "overloaded", until: Date.now() - 1000 });
      expect(store.runtime.get(a)?.overloadedUntil).toBeUndefined();
    });

    it("loads the current state when a data plane starts", async () => {
      const { a } = ids();
      await store.mark(a, { kind: "error", reason: "upstream 403" });
      const late = await harness.plane();
      expect(late.runtime.get(a)).toMatchObject({ inError: true, errorMessage: "upstream 403" });
    });

    it("keeps the last change when marks race from two data planes", async () => {
      const { a } = ids();
      const until = Date.now() + 60_000;
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? store : other).mark(a, { kind: "rate_limited", until: until + i }),
        ),
      );
      await eventually(() => {
        expect(store.runtime.get(a)?.rateLimitedUntil).toBe(until + 9);
        expect(other.runtime.get(a)?.rateLimitedUntil).toBe(until + 9);
      });
    });
  });

  describe("locks", () => {
    it("lets one holder at a time run, across data planes", async () => {
      const name = unique("lock");
      const gate = deferred();
      const running = store.withLock(name, 10_000, async () => {
        await gate.promise;
        return "refreshed";
      });
      await eventually(async () =>
        expect(await other.withLock(name, 10_000, async () => "second")).toEqual({ acquired: false }),
      );
      gate.resolve();
      expect(await running).toEqual({ acquired: true, value: "refreshed" });
      expect(await other.withLock(name, 10_000, async () => "second")).toEqual({ acquired: true, value: "second" });
    });

    it("grants exactly one of many simultaneous attempts", async () => {
      const name = unique("lock");
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? store : other).withLock(name, 10_000, () => new Promise((r) => setTimeout(() => r(i), 50))),
        ),
      );
      expect(results.filter((result) => result.acquired)).toHaveLength(1);
    });

    it("releases the lock when fn throws", async () => {
      const name = unique("lock");
      await expect(
        store.withLock(name, 10_000, async () => Promise.reject(new Error("refresh failed"))),
      ).rejects.toThrow("refresh failed");
      expect(await other.withLock(name, 10_000, async () => 1)).toEqual({ acquired: true, value: 1 });
    });

    it("lapses after its TTL, aborts the late holder, and never frees the next holder's lock", async () => {
      const name = unique("lock");
      const lateGate = deferred();
      let lateSignal: AbortSignal | undefined;
      const late = store.withLock(name, 200, async (signal) => {
        lateSignal = signal;
        await lateGate.promise;
        return "late";
      });
      // The late holder's SET must reach Redis first: the other plane's connection could overtake it.
      await eventually(() => expect(lateSignal).toBeDefined());

      const nextGate = deferred();
      let next: Promise<unknown> | undefined;
      await eventually(async () => {
        const attempt = other.withLock(name, 10_000, async () => {
          await nextGate.promise;
          return "next";
        });
        const settled = await Promise.race([attempt, new Promise((r) => setTimeout(() => r("running"), 50))]);
        if (settled !== "running") throw new Error("not acquired yet");
        next = attempt;
      });
      await eventually(() => expect(lateSignal?.aborted).toBe(true));

      lateGate.resolve();
      expect(await late).toEqual({ acquired: true, value: "late" });
      expect(await store.withLock(name, 10_000, async () => "third")).toEqual({ acquired: false });
      nextGate.resolve();
      expect(await next).toEqual({ acquired: true, value: "next" });
    });
  });
}
