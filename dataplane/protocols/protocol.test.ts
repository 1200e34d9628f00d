import { describe, expect, it } from "vitest";
import { MAX_TOKEN_COUNT } from "../../common/pricing.js";
import { tokenCount } from "./protocol.js";

describe("tokenCount", () => {
  it.each<[string, unknown, number]>([
    ["a whole count", 1234, 1234],
    ["a fraction rounded down", 12.9, 12],
    ["zero", 0, 0],
    ["negative", -5, 0],
    ["a string", "12", 0],
    ["null", null, 0],
    ["NaN", Number.NaN, 0],
    ["infinity", Number.POSITIVE_INFINITY, 0],
    ["the cap itself", MAX_TOKEN_COUNT, MAX_TOKEN_COUNT],
    ["past the cap (int8 sums would overflow in rollups)", 9e18, MAX_TOKEN_COUNT],
    ["absurdly past it", 1e300, MAX_TOKEN_COUNT],
  ])("%s", (_name, value, expected) => {
    expect(tokenCount(value)).toBe(expected);
  });
});
