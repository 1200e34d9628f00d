import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  const policy = { initialMs: 100, maxMs: 1_000 };
  it.each([
    [0, 1, 100],
    [1, 1, 200],
    [3, 1, 800],
    [4, 1, 1_000],
    [50, 1, 1_000],
    [3, 0.5, 400],
    [3, 0, 0],
  ])("attempt %i with random %d waits %i ms", (attempt, random, expected) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });
});
