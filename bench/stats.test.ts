import { describe, expect, it } from "vitest";
import { median, percentile, summarize } from "./stats.js";

describe("percentile (nearest rank)", () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it.each([
    [ten, 50, 5],
    [ten, 90, 9],
    [ten, 99, 10],
    [ten, 100, 10],
    [ten, 0, 1],
    [[7], 99, 7],
  ])("%j p%d = %d", (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it("is NaN without samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("sorts before ranking and keeps the observed extremes", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, p50: 2, p90: 4, p99: 4, max: 4 });
  });

  it("is empty-safe", () => {
    expect(summarize([]).count).toBe(0);
    expect(summarize([]).p99).toBeNaN();
  });
});

describe("median", () => {
  it.each([
    [[3, 1, 2], 2],
    [[5], 5],
  ])("%j -> %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
