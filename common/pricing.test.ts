import { describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "./money.js";
import { billedCost, mergePrices, type Price, parsePrice, priceOf, resolvePrice } from "./pricing.js";

const usd = (s: string) => parseDecimal(s) as bigint;
const price = (input: string, output: string, write = "0", read = "0"): Price => ({
  inputPerMtok: usd(input),
  outputPerMtok: usd(output),
  cacheWritePerMtok: usd(write),
  cacheReadPerMtok: usd(read),
});

describe("parsePrice", () => {
  it("reads stored decimal text exactly, and a field that does not parse as 0", () => {
    const price = parsePrice({
      inputPerMtok: "3",
      outputPerMtok: "15.000000000000000001",
      cacheWritePerMtok: "not a number",
      cacheReadPerMtok: "",
    });
    expect(formatDecimal(price.inputPerMtok)).toBe("3");
    expect(formatDecimal(price.outputPerMtok)).toBe("15.000000000000000001");
    expect(price.cacheWritePerMtok).toBe(0n);
    expect(price.cacheReadPerMtok).toBe(0n);
  });
});

describe("resolvePrice", () => {
  const table = new Map([
    ["claude-sonnet-4*", price("3", "15")],
    ["claude-*", price("1", "1")],
    ["claude-sonnet-4-5-20250929", price("9", "9")],
  ]);
  it.each([
    ["exact beats patterns", "claude-sonnet-4-5-20250929", "9"],
    ["longest prefix wins", "claude-sonnet-4-20250514", "3"],
    ["shorter prefix when the longer does not match", "claude-haiku-4-5", "1"],
    ["a pattern matches its bare prefix", "claude-sonnet-4", "3"],
  ])("%s", (_name, model, input) => {
    expect(formatDecimal(resolvePrice(table, model)?.inputPerMtok ?? -1n)).toBe(input);
  });

  it("returns undefined for an unknown model", () => {
    expect(resolvePrice(table, "llama-3")).toBeUndefined();
  });

  it("resolves a model the same when remembered per table, and afresh for a new table", () => {
    expect(priceOf(table, "claude-sonnet-4-20250514")).toBe(resolvePrice(table, "claude-sonnet-4-20250514"));
    expect(priceOf(table, "claude-sonnet-4-20250514")).toBe(table.get("claude-sonnet-4*"));
    expect(priceOf(table, "llama-3")).toBeUndefined();
    const repriced = new Map([...table, ["claude-sonnet-4-2*", price("7", "7")]]);
    expect(formatDecimal(priceOf(repriced, "claude-sonnet-4-20250514")?.inputPerMtok ?? -1n)).toBe("7");
  });

  it("lets an override replace a default pattern", () => {
    const merged = mergePrices(table, new Map([["claude-sonnet-4*", price("2", "10")]]));
    expect(formatDecimal(resolvePrice(merged, "claude-sonnet-4-5")?.inputPerMtok ?? -1n)).toBe("2");
  });
});

describe("billedCost", () => {
  const p = price("3", "15", "3.75", "0.3");
  it.each([
    ["input and output", [1000, 500, 0, 0], "1", "0.0105", "0.0105"],
    ["cache writes and reads", [0, 0, 2000, 10000], "1", "0.0105", "0.0105"],
    ["multiplier applied once", [1000, 500, 0, 0], "1.5", "0.0105", "0.01575"],
    ["free group", [1000, 500, 0, 0], "0", "0.0105", "0"],
    ["one token", [1, 0, 0, 0], "1", "0.000003", "0.000003"],
  ] as const)("%s", (_name, [inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens], mult, cost, actual) => {
    const result = billedCost(p, { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens }, usd(mult));
    expect(formatDecimal(result.cost)).toBe(cost);
    expect(formatDecimal(result.actualCost)).toBe(actual);
  });
});
