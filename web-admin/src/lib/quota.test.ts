import { describe, expect, it } from "vitest";
import { quotaUse } from "./quota.js";

describe("quotaUse", () => {
  it.each([
    ["0", "3", { limited: false, fraction: 0, exhausted: false }],
    ["", "0", { limited: false, fraction: 0, exhausted: false }],
    ["oops", "1", { limited: false, fraction: 0, exhausted: false }],
    ["10", "0", { limited: true, fraction: 0, exhausted: false }],
    ["10", "2.5", { limited: true, fraction: 0.25, exhausted: false }],
    ["3", "1", { limited: true, fraction: 0.3333, exhausted: false }],
    ["10", "10", { limited: true, fraction: 1, exhausted: true }],
    ["10", "12.000000000000000001", { limited: true, fraction: 1, exhausted: true }],
    ["0.000000000000000003", "0.000000000000000001", { limited: true, fraction: 0.3333, exhausted: false }],
  ])("quota %j used %j", (quota, used, expected) => {
    expect(quotaUse(quota, used)).toEqual(expected);
  });
});
