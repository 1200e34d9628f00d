import { mergePrices, type Price, parsePrice } from "../../common/pricing.js";
import type { Executor } from "../db/database.js";
import { listPriceOverrides } from "../db/model-prices.js";
import { DEFAULT_PRICES } from "./default-prices.js";

/** The prices in force: the shipped defaults with the admin's overrides on top. */
export async function effectivePrices(ex: Executor): Promise<Map<string, Price>> {
  const overrides = await listPriceOverrides(ex);
  return mergePrices(DEFAULT_PRICES, new Map(overrides.map((row) => [row.model, parsePrice(row)])));
}
