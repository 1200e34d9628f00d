import { parseDecimal } from "../../common/money.js";
import { mergePrices, type Price } from "../../common/pricing.js";
import type { Executor } from "../db/database.js";
import { listPriceOverrides, type ModelPriceRow } from "../db/model-prices.js";
import { DEFAULT_PRICES } from "./default-prices.js";

export function overridePrice(row: ModelPriceRow): Price {
  return {
    inputPerMtok: parseDecimal(row.inputPerMtok) ?? 0n,
    outputPerMtok: parseDecimal(row.outputPerMtok) ?? 0n,
    cacheWritePerMtok: parseDecimal(row.cacheWritePerMtok) ?? 0n,
    cacheReadPerMtok: parseDecimal(row.cacheReadPerMtok) ?? 0n,
  };
}

/** The prices in force: the shipped defaults with the admin's overrides on top. */
export async function effectivePrices(ex: Executor): Promise<Map<string, Price>> {
  const overrides = await listPriceOverrides(ex);
  return mergePrices(DEFAULT_PRICES, new Map(overrides.map((row) => [row.model, overridePrice(row)])));
}
