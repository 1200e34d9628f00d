import { type Atto, parseDecimal } from "../../common/money.js";
import type { PriceTable } from "../../common/pricing.js";
import type { ChangeFeed } from "../config/change-feed.js";
import type { Db } from "../db/database.js";
import { rateMultipliers } from "../db/groups.js";
import { effectivePrices } from "./price-table.js";

// What pricing a usage batch needs: the prices in force and every group's rate multiplier. Read once per
// config change rather than per batch: the feed's config generation moves on every change this control
// plane makes or hears of (NOTIFY) but the usage stamps, so a batch applied after a price change was
// seen is priced with it. Records are priced when they are applied, as before this cache. Keyed on
// every change, it was re-read after each usage publication (up to four a second under load).

export interface BillingRates {
  prices: PriceTable;
  /** By group id; a group deleted since the request was served is absent (list price). */
  multipliers: ReadonlyMap<string, Atto>;
}

export type BillingRatesSource = () => Promise<BillingRates>;

export async function readBillingRates(db: Db): Promise<BillingRates> {
  const [prices, multipliers] = await Promise.all([effectivePrices(db), rateMultipliers(db)]);
  const parsed = new Map<string, Atto>();
  for (const [id, rate] of multipliers) {
    const value = parseDecimal(rate);
    if (value !== undefined) parsed.set(id, value);
  }
  return { prices, multipliers: parsed };
}

export function cachedBillingRates(read: () => Promise<BillingRates>, feed: ChangeFeed): BillingRatesSource {
  let cached: { generation: number; rates: Promise<BillingRates> } | undefined;
  return () => {
    const generation = feed.configGeneration;
    if (cached?.generation !== generation) {
      const rates = read();
      cached = { generation, rates };
      // A failed read is not kept: the next batch reads again.
      rates.catch(() => {
        if (cached?.rates === rates) cached = undefined;
      });
    }
    return cached.rates;
  };
}
