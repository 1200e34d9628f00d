import { describe, expect, it } from "vitest";
import { findFallbackCycle } from "./fallback-cycle.js";

describe("findFallbackCycle", () => {
  const fallbacks = new Map<string, string | null>([
    ["a", "b"],
    ["b", "c"],
    ["c", null],
    ["x", "y"],
    ["y", "x"],
  ]);

  it.each([
    ["a group falling back to itself", "g", "g", ["g", "g"]],
    ["a chain that ends", "n", "a", undefined],
    ["a chain back to the group", "c", "a", ["c", "a", "b", "c"]],
    ["a two-group loop", "b", "a", ["b", "a", "b"]],
    ["an unknown fallback ends the chain", "a", "zzz", undefined],
    ["an existing loop elsewhere is not this save's", "n", "x", undefined],
  ])("%s", (_name, group, fallback, expected) => {
    expect(findFallbackCycle(group, fallback, fallbacks)).toEqual(expected);
  });
});
