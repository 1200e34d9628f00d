import { describe, expect, it } from "vitest";
import { divRound, formatDecimal, mulDecimal, parseDecimal, tokenCost } from "./money.js";

describe("parseDecimal / formatDecimal", () => {
  it.each([
    ["0", "0"],
    ["12.5", "12.5"],
    ["-0.003", "-0.003"],
    ["+7", "7"],
    ["000.100", "0.1"],
    ["0.000000000000000001", "0.000000000000000001"],
    ["123456789012345678901234567890.5", "123456789012345678901234567890.5"],
  ])("%s round-trips as %s", (input, output) => {
    const units = parseDecimal(input);
    expect(units).toBeDefined();
    expect(formatDecimal(units as bigint)).toBe(output);
  });

  it.each(["", "abc", "1.", ".5", "1e3", "1,5", "0.0000000000000000001", "--1", "NaN", "Infinity"])(
    "refuses %j",
    (input) => {
      expect(parseDecimal(input)).toBeUndefined();
    },
  );
});

describe("arithmetic", () => {
  it("sums exactly where floats drift", () => {
    const tenth = parseDecimal("0.1") as bigint;
    const two = parseDecimal("0.2") as bigint;
    expect(formatDecimal(tenth + two)).toBe("0.3");
  });

  it("prices tokens per million exactly", () => {
    expect(formatDecimal(tokenCost(1234, parseDecimal("3") as bigint))).toBe("0.003702");
    expect(formatDecimal(tokenCost(7n, parseDecimal("0.075") as bigint))).toBe("0.000000525");
    expect(tokenCost(0, parseDecimal("3") as bigint)).toBe(0n);
    expect(tokenCost(0n, parseDecimal("3") as bigint)).toBe(0n);
  });

  it("multiplies by a rate", () => {
    const cost = parseDecimal("0.003702") as bigint;
    expect(formatDecimal(mulDecimal(cost, parseDecimal("1.5") as bigint))).toBe("0.005553");
    for (const amount of ["0.000000000000000001", "-12.345678901234567", "0"]) {
      const value = parseDecimal(amount);
      if (value === undefined) throw new Error(`not a decimal: ${amount}`);
      expect(mulDecimal(value, parseDecimal("1") as bigint)).toBe(value);
    }
  });

  it.each([
    [5n, 2n, 2n],
    [7n, 2n, 4n],
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [10n, 3n, 3n],
    [11n, 3n, 4n],
    [5n, -2n, -2n],
  ])("divRound(%s, %s) = %s (half to even)", (n, d, q) => {
    expect(divRound(n, d)).toBe(q);
  });
});
