import { describe, expect, it } from "vitest";
import { ChangeFeed } from "../config/change-feed.js";
import { type BillingRates, cachedBillingRates } from "./billing-rates.js";

const rates = (): BillingRates => ({ prices: new Map(), multipliers: new Map() });

describe("cachedBillingRates", () => {
  it("reads once per config change, not per batch nor per usage stamp", async () => {
    const feed = new ChangeFeed();
    let reads = 0;
    const source = cachedBillingRates(async () => {
      reads++;
      return rates();
    }, feed);
    feed.publish(1);
    await source();
    await source();
    expect(reads).toBe(1);
    for (const version of [2, 3, 4]) feed.publish(version, "usage");
    await source();
    expect(reads).toBe(1);
    feed.publish(5);
    await source();
    expect(reads).toBe(2);
    // A stamp after a gap may be the first news of a price change below it.
    feed.publish(7, "usage");
    await source();
    expect(reads).toBe(3);
  });

  it("reads again after a failed read", async () => {
    const feed = new ChangeFeed();
    let reads = 0;
    const source = cachedBillingRates(async () => {
      reads++;
      if (reads === 1) throw new Error("database unavailable");
      return rates();
    }, feed);
    await expect(source()).rejects.toThrow("database unavailable");
    await source();
    expect(reads).toBe(2);
  });
});
