import { describe, expect, it } from "vitest";
import { formatDecimal } from "../../common/money.js";
import { resolvePrice } from "../../common/pricing.js";
import { DEFAULT_PRICES } from "./default-prices.js";

describe("the default price table", () => {
  it.each([
    ["claude-opus-4-5-20251101", "5"],
    ["claude-opus-4-1-20250805", "15"],
    ["claude-sonnet-4-5-20250929", "3"],
    ["claude-haiku-4-5-20251001", "1"],
    ["gpt-5-codex", "1.25"],
    ["gpt-5-mini-2025-08-07", "0.25"],
    ["gpt-4.1-mini", "0.4"],
    ["gpt-4o-2024-08-06", "2.5"],
    ["o4-mini", "1.1"],
    ["gemini-2.5-flash-lite", "0.1"],
    ["gemini-2.5-pro", "1.25"],
    ["gemini-3-pro-preview", "2"],
  ])("prices %s", (model, input) => {
    expect(formatDecimal(resolvePrice(DEFAULT_PRICES, model)?.inputPerMtok ?? -1n)).toBe(input);
  });
});
