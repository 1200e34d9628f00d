import { createHash } from "node:crypto";
import { parseDecimal } from "../../common/money.js";
import type { Price } from "../../common/pricing.js";
import table from "./default-prices.json" with { type: "json" };

// The price table shipped with Tollgate; its hash tells a restarted control plane that it changed, so
// data planes get a fresh snapshot (config/versions.ts).

function decimal(model: string, field: string, text: string): bigint {
  const value = parseDecimal(text);
  if (value === undefined || value < 0n) throw new Error(`default-prices.json: ${model}.${field} "${text}" is invalid`);
  return value;
}

export const DEFAULT_PRICES: ReadonlyMap<string, Price> = new Map(
  table.prices.map((p) => [
    p.model,
    {
      inputPerMtok: decimal(p.model, "input", p.input),
      outputPerMtok: decimal(p.model, "output", p.output),
      cacheWritePerMtok: decimal(p.model, "cache_write", p.cache_write),
      cacheReadPerMtok: decimal(p.model, "cache_read", p.cache_read),
    },
  ]),
);

export const DEFAULT_PRICES_HASH = createHash("sha256").update(JSON.stringify(table.prices)).digest("hex");
