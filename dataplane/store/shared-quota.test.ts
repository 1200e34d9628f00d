import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDecimal } from "../../common/money.js";
import { createTestPrefix, REDIS_URL, type TestRedisPrefix } from "../../test/support/redis.js";
import { redisSharedQuota, type SharedQuota } from "./shared-quota.js";

// The cross-data-plane quota check on real Redis: two connections stand for two data planes.

const usd = (text: string) => parseDecimal(text) as bigint;

let prefix: TestRedisPrefix;
let connections: Redis[];
let planeA: SharedQuota;
let planeB: SharedQuota;
let n = 0;
const key = () => `key-${++n}`;

beforeAll(async () => {
  prefix = createTestPrefix();
  connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  planeA = redisSharedQuota(connections[0] as Redis, prefix.prefix);
  planeB = redisSharedQuota(connections[1] as Redis, prefix.prefix);
});

afterAll(async () => {
  for (const c of connections ?? []) c.disconnect();
  await prefix?.cleanup();
});

describe("redisSharedQuota", () => {
  it("admits a first request whatever its ceiling, while anything remains", async () => {
    expect(await planeA.reserve(key(), "r1", usd("5"), usd("1"))).toBe("admit");
  });

  it("counts every data plane's requests in flight against what remains", async () => {
    const k = key();
    expect(await planeA.reserve(k, "a1", usd("0.4"), usd("1"))).toBe("admit");
    expect(await planeB.reserve(k, "b1", usd("0.4"), usd("1"))).toBe("admit");
    expect(await planeB.reserve(k, "b2", usd("0.4"), usd("1"))).toBe("one_at_a_time");
  });

  it("counts settled costs until they are forgotten", async () => {
    const k = key();
    await planeA.reserve(k, "a1", usd("0.5"), usd("1"));
    await planeA.settle(k, "a1", usd("1"));
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("exhausted");
    await planeA.forget(k, "a1");
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("admit");
  });

  it("counts billed costs for the grace period only, with nothing left to call afterwards", async () => {
    const k = key();
    await planeA.reserve(k, "a1", usd("0.5"), usd("1"));
    await planeA.settle(k, "a1", usd("1"));
    await planeA.billed(k, ["a1", "never-reserved"], 150);
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("exhausted");
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("admit");
  });

  it("lets an unbounded request run only alone", async () => {
    const k = key();
    expect(await planeA.reserve(k, "a1", undefined, usd("1"))).toBe("admit");
    expect(await planeB.reserve(k, "b1", usd("0.01"), usd("1"))).toBe("one_at_a_time");
    await planeA.forget(k, "a1");
    expect(await planeB.reserve(k, "b1", usd("0.01"), usd("1"))).toBe("admit");
    expect(await planeA.reserve(k, "a2", undefined, usd("1"))).toBe("one_at_a_time");
  });

  it("lets a crashed data plane's entries lapse", async () => {
    const k = key();
    const shortLived = redisSharedQuota(connections[0] as Redis, prefix.prefix, 200);
    await shortLived.reserve(k, "a1", usd("1"), usd("1"));
    await shortLived.settle(k, "a1", usd("1"));
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("exhausted");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await planeB.reserve(k, "b1", usd("0.1"), usd("1"))).toBe("admit");
  });

  it("admits no more than fits when both data planes race", async () => {
    const k = key();
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? planeA : planeB).reserve(k, `r${i}`, usd("0.3"), usd("1"))),
    );
    expect(verdicts.filter((v) => v === "admit")).toHaveLength(3);
  });
});
