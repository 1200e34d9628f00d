import { type Atto, mulDecimal, parseDecimal, tokenCost } from "./money.js";

// Cost of one request (DESIGN §6): prices are USD per million tokens, looked up by exact model name,
// else by the longest matching `prefix*` pattern; an override of a pattern replaces its default. The
// control plane bills with it; data planes use it to count spend not yet billed.

export interface Price {
  inputPerMtok: Atto;
  outputPerMtok: Atto;
  cacheWritePerMtok: Atto;
  cacheReadPerMtok: Atto;
}

/** A price as stored and sent (decimal USD text); a field that does not parse counts as 0. */
export function parsePrice(text: Record<keyof Price, string>): Price {
  const usd = (value: string) => parseDecimal(value) ?? 0n;
  return {
    inputPerMtok: usd(text.inputPerMtok),
    outputPerMtok: usd(text.outputPerMtok),
    cacheWritePerMtok: usd(text.cacheWritePerMtok),
    cacheReadPerMtok: usd(text.cacheReadPerMtok),
  };
}

/** Pattern (exact model or `prefix*`) -> price. */
export type PriceTable = ReadonlyMap<string, Price>;

export interface TokenCounts {
  inputTokens: bigint | number;
  outputTokens: bigint | number;
  cacheCreationTokens: bigint | number;
  cacheReadTokens: bigint | number;
}

export function mergePrices(defaults: PriceTable, overrides: PriceTable): Map<string, Price> {
  return new Map([...defaults, ...overrides]);
}

/** The price that applies to a model, or undefined when no entry matches (any representation of a price). */
export function resolvePrice<P>(table: ReadonlyMap<string, P>, model: string): P | undefined {
  const exact = table.get(model);
  if (exact) return exact;
  let best: { length: number; price: P } | undefined;
  for (const [pattern, price] of table) {
    if (!pattern.endsWith("*")) continue;
    const prefix = pattern.slice(0, -1);
    if (model.startsWith(prefix) && (!best || prefix.length > best.length)) best = { length: prefix.length, price };
  }
  return best?.price;
}

// No request comes near a billion tokens of one kind. A larger count is capped where usage enters
// billing, so the control plane's int8 sums (rollups, totals) cannot overflow: an overflow would fail
// its whole usage batch, resent forever ahead of every later record of that data plane.
export const MAX_TOKEN_COUNT = 1_000_000_000;

const resolvedByTable = new WeakMap<ReadonlyMap<string, unknown>, Map<string, unknown>>();
// Model names come from clients: at most this many are remembered per table.
const MAX_REMEMBERED_MODELS = 10_000;

/**
 * resolvePrice, remembered per table: most models resolve by pattern, a scan of the whole table, and
 * every billed request (and every usage record applied) looks its model up. A table is replaced, never
 * changed, when prices change (a data plane's config version, the control plane's billing rates), so
 * the memory goes with it.
 */
export function priceOf<P>(table: ReadonlyMap<string, P>, model: string): P | undefined {
  let byModel = resolvedByTable.get(table) as Map<string, P | undefined> | undefined;
  if (!byModel) {
    byModel = new Map();
    resolvedByTable.set(table, byModel);
  }
  if (byModel.has(model)) return byModel.get(model);
  const price = resolvePrice(table, model);
  if (byModel.size < MAX_REMEMBERED_MODELS) byModel.set(model, price);
  return price;
}

export function listCost(price: Price, tokens: TokenCounts): Atto {
  return (
    tokenCost(tokens.inputTokens, price.inputPerMtok) +
    tokenCost(tokens.outputTokens, price.outputPerMtok) +
    tokenCost(tokens.cacheCreationTokens, price.cacheWritePerMtok) +
    tokenCost(tokens.cacheReadTokens, price.cacheReadPerMtok)
  );
}

/** List cost and what is billed after the group's rate multiplier (applied once, here). */
export function billedCost(price: Price, tokens: TokenCounts, rateMultiplier: Atto): { cost: Atto; actualCost: Atto } {
  const cost = listCost(price, tokens);
  return { cost, actualCost: mulDecimal(cost, rateMultiplier) };
}
