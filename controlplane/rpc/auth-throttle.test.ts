import { describe, expect, it } from "vitest";
import { AuthThrottle, failureDelayMs, type ThrottleConfig } from "./auth-throttle.js";

const config: ThrottleConfig = { baseDelayMs: 100, maxDelayMs: 1_000, forgetAfterMs: 60_000, maxTracked: 3 };

describe("failureDelayMs", () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 100],
    [3, 200],
    [4, 400],
    [5, 800],
    [6, 1_000],
    [1_000, 1_000],
  ])("failure %i waits %i ms", (failures, expected) => {
    expect(failureDelayMs(failures, config)).toBe(expected);
  });
});

/** A throttle on a fake clock that records the waits instead of sleeping. */
function throttle() {
  let now = 1_000_000;
  const waits: number[] = [];
  const t = new AuthThrottle(
    config,
    () => now,
    async (ms) => {
      waits.push(ms);
      now += ms;
    },
  );
  return { t, waits, advance: (ms: number) => (now += ms) };
}

describe("AuthThrottle", () => {
  it("answers consecutive failures from one address more and more slowly, others untouched", async () => {
    const { t, waits } = throttle();
    for (let i = 0; i < 4; i++) await t.failed("10.0.0.1");
    expect(waits).toEqual([100, 200, 400]);
    await t.admit("10.0.0.2");
    expect(waits).toEqual([100, 200, 400]);
  });

  it("makes a new attempt wait out the penalty still running (parallel guesses do not skip it)", async () => {
    const { t, waits, advance } = throttle();
    await t.failed("a");
    await t.failed("a");
    waits.length = 0;
    advance(-100); // as if a second request arrived while the first answer was still waiting
    await t.admit("a");
    expect(waits).toEqual([100]);
  });

  it("forgets an address on success and after a quiet period", async () => {
    const { t, waits, advance } = throttle();
    await t.failed("a");
    await t.failed("a");
    t.succeeded("a");
    await t.failed("a");
    expect(waits).toEqual([100]);
    advance(60_001);
    await t.failed("a");
    expect(waits).toEqual([100]);
  });

  it("remembers at most maxTracked addresses", async () => {
    const { t } = throttle();
    for (const address of ["a", "b", "c", "d", "e"]) await t.failed(address);
    expect(t.tracked).toBe(3);
  });
});
