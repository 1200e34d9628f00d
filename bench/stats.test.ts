import { describe, expect, it } from "vitest";
import { median, pairedMedian, percentile, summarize } from "./stats.js";

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

describe("pairedMedian", () => {
  const ratio = (mine: number, theirs: number) => mine / theirs;
  it.each([
    // A machine that slowed down in round 2 moves both sides of that pair: the pairs stay close.
    [[100, 200, 110], [110, 220, 120], [100 / 110, 200 / 220, 110 / 120], 100 / 110],
    [[90, 100, 120], [100, 100, 100], [0.9, 1, 1.2], 1],
    // A round one side lacks is left out; an even count takes the midpoint of the middle two.
    [[90, 100, 80], [100, 100], [0.9, 1], 0.95],
  ])("%j against %j", (mine, theirs, pairs, expected) => {
    const result = pairedMedian(mine, theirs, ratio);
    expect(result.pairs).toEqual(pairs);
    expect(result.median).toBeCloseTo(expected, 12);
  });

  it("is NaN without pairs", () => {
    expect(pairedMedian([], [1], ratio).median).toBeNaN();
  });
});
