import { describe, expect, it } from "vitest";
import { formatCompact, formatCount, formatUsd } from "./format.js";

describe("formatUsd", () => {
  it.each([
    ["0", "$0"],
    ["", "$0"],
    ["12.5", "$12.5"],
    ["0.00004", "$0"],
    ["0.00005", "$0.0001"],
    ["1.23456", "$1.2346"],
    ["-2.5", "-$2.5"],
    ["-0.00001", "$0"],
    ["123456789.99999", "$123456790"],
    ["abc", "abc"],
  ])("%j -> %s", (text, expected) => {
    expect(formatUsd(text)).toBe(expected);
  });

  it("takes other precisions", () => {
    expect(formatUsd("1.005", 2)).toBe("$1.01");
  });
});

describe("formatCount and formatCompact", () => {
  it.each([
    [1234567n, "en", "1,234,567"],
    [9007199254740993n, "en", "9,007,199,254,740,993"],
    [0, "zh", "0"],
  ])("formatCount(%s, %s)", (value, locale, expected) => {
    expect(formatCount(value, locale)).toBe(expected);
  });

  it.each([
    [1234, "en", "1.2K"],
    [2_500_000, "en", "2.5M"],
    [12, "en", "12"],
  ])("formatCompact(%s, %s)", (value, locale, expected) => {
    expect(formatCompact(value, locale)).toBe(expected);
  });
});
