import { describe, expect, it } from "vitest";
import { KnownBindings, unrefusableCandidate } from "./known-bindings.js";
import type { AcquireRequest } from "./routing-store.js";

const request = (fields: Partial<AcquireRequest>): AcquireRequest => ({
  requestId: "r",
  groupId: "g",
  sessionKeys: ["h:2", "h:1"],
  accountsVersion: 7n,
  userId: "u",
  userConcurrency: 0,
  candidates: [
    { id: "b", concurrency: 0 },
    { id: "a", concurrency: 0 },
  ],
  ...fields,
});

/** A request of the session with these keys, under accountsVersion 7. */
const turn = (keys: string[]) => request({ sessionKeys: keys });

describe("unrefusableCandidate", () => {
  it.each([
    ["a known session on an unlimited account", request({}), "a"],
    ["a later turn of it (its earlier key is known)", request({ sessionKeys: ["h:3", "h:2", "h:1"] }), "a"],
    ["a user with a limit", request({ userConcurrency: 3 }), undefined],
    [
      "an account with a limit",
      request({
        candidates: [
          { id: "b", concurrency: 0 },
          { id: "a", concurrency: 2 },
        ],
      }),
      undefined,
    ],
    ["the known account is no longer a candidate", request({ candidates: [{ id: "b", concurrency: 0 }] }), undefined],
    ["the accounts' configuration changed since", request({ accountsVersion: 8n }), undefined],
    ["another group", request({ groupId: "g2" }), undefined],
    ["a session not seen here", request({ sessionKeys: ["x:1"] }), undefined],
    ["no session keys", request({ sessionKeys: [] }), undefined],
  ])("%s", (_, acquire, expected) => {
    const known = new KnownBindings(60_000, 10);
    known.remember(turn(["h:1"]), "a", 1_000);
    expect(unrefusableCandidate(acquire, known, 2_000)?.id).toBe(expected);
  });
});

describe("KnownBindings", () => {
  it("goes by the longest key with a hint, as the route script does", () => {
    const known = new KnownBindings(60_000, 10);
    known.remember(turn(["h:1"]), "a", 0);
    known.remember(turn(["h:2", "h:1"]), "b", 0);
    expect(known.lookup(turn(["h:3", "h:2", "h:1"]), 1)).toBe("b");
  });

  it("does not fall back to a shorter key when the longest hint is stale", () => {
    const known = new KnownBindings(60_000, 10);
    known.remember(turn(["h:1"]), "a", 0);
    known.remember(request({ sessionKeys: ["h:2"], accountsVersion: 6n }), "b", 0);
    expect(known.lookup(turn(["h:3", "h:2", "h:1"]), 1)).toBeUndefined();
  });

  it("stops trusting a hint after its lifetime, and drops it", () => {
    const known = new KnownBindings(1_000, 10);
    known.remember(turn(["s"]), "a", 0);
    expect(known.lookup(turn(["s"]), 999)).toBe("a");
    expect(known.lookup(turn(["s"]), 1_000)).toBeUndefined();
    expect(known.size).toBe(0);
  });

  it("forgets a request's keys, or everything", () => {
    const known = new KnownBindings(60_000, 10);
    known.remember(turn(["h:1"]), "a", 0);
    known.remember(turn(["h:2", "h:1"]), "a", 0);
    known.forget(turn(["h:2", "h:1"]));
    expect(known.lookup(turn(["h:2", "h:1"]), 1)).toBeUndefined();
    known.remember(turn(["s1"]), "a", 0);
    known.remember(turn(["s2"]), "b", 0);
    known.clear();
    expect(known.size).toBe(0);
  });

  it("keeps at most its number of entries, dropping the least recently remembered", () => {
    const known = new KnownBindings(60_000, 2);
    known.remember(turn(["s1"]), "a", 0);
    known.remember(turn(["s2"]), "a", 0);
    known.remember(turn(["s1"]), "b", 1);
    known.remember(turn(["s3"]), "a", 2);
    expect(known.size).toBe(2);
    expect(known.lookup(turn(["s2"]), 3)).toBeUndefined();
    expect(known.lookup(turn(["s1"]), 3)).toBe("b");
    expect(known.lookup(turn(["s3"]), 3)).toBe("a");
  });
});
