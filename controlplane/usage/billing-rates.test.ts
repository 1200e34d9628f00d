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
    // Usage stamps, each carrying the last config version below it.
    for (const version of [2, 3, 4]) feed.publish(version, 1);
    await source();
    expect(reads).toBe(1);
    feed.publish(5);
    await source();
    expect(reads).toBe(2);
    // A stamp can be the first news of a price change below it (6, from another replica).
    feed.publish(7, 6);
    await source();
    expect(reads).toBe(3);
    feed.publish(6);
    feed.publish(9, 6);
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
