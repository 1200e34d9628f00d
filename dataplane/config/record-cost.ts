import { type Atto, mulDecimal, parseDecimal, tokenCost } from "../../common/money.js";
import { listCost, type Price, parsePrice, priceOf } from "../../common/pricing.js";
import type { ModelPrice, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigView } from "./config-view.js";

// What the control plane will bill for a usage record (DESIGN §6), from the prices and group rate in
// the config view, so the data plane can count spend it has not yet seen billed. The rules are the
// control plane's own (common/pricing.ts); no price bills 0, a group missing from the view rate 1.

const ONE = 10n ** 18n;

// Every billable request prices its model twice (admission and billing): the resolution is kept per
// prices map (priceOf), the parsed decimals per price. A config version whose delta leaves the prices
// alone keeps the same map (layered-map.ts), and so its cache; one that changes a price gets a new map.
const parsedPrices = new WeakMap<ModelPrice, ParsedPrice>();
const rates = new WeakMap<object, Atto>();

interface ParsedPrice extends Price {
  dearestInput: Atto;
}

function parsed(price: ModelPrice): ParsedPrice {
  let out = parsedPrices.get(price);
  if (!out) {
    const listed = parsePrice(price);
    let dearestInput = listed.inputPerMtok;
    if (listed.cacheWritePerMtok > dearestInput) dearestInput = listed.cacheWritePerMtok;
    if (listed.cacheReadPerMtok > dearestInput) dearestInput = listed.cacheReadPerMtok;
    out = { ...listed, dearestInput };
    parsedPrices.set(price, out);
  }
  return out;
}

function rateOf(view: ConfigView, groupId: string): Atto {
  const group = view.groups.get(groupId);
  if (!group) return ONE;
  let rate = rates.get(group);
  if (rate === undefined) {
    rate = parseDecimal(group.rateMultiplier) ?? ONE;
    rates.set(group, rate);
  }
  return rate;
}

/** The record's actual cost: its tokens at the model's price, times its group's rate multiplier. */
export function recordCost(view: ConfigView, record: UsageRecord): Atto {
  const found = priceOf(view.prices, record.model);
  if (!found) return 0n;
  const list = listCost(parsed(found), {
    inputTokens: nonNegative(record.inputTokens),
    outputTokens: nonNegative(record.outputTokens),
    cacheCreationTokens: nonNegative(record.cacheCreationTokens),
    cacheReadTokens: nonNegative(record.cacheReadTokens),
  });
  return mulDecimal(list, rateOf(view, record.groupId));
}

/** Above the largest output any current model gives (GPT-5: 128k): the limit of a request that sets none. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 128_000;

/**
 * The most a request can cost: every input token at the dearest input price (plain, cache write or
 * cache read), every output token at the output price. A request body holds at least one byte per
 * input token, so its size bounds the input; the output is bounded by the request's own limit, else
 * by DEFAULT_MAX_OUTPUT_TOKENS.
 */
export function costCeiling(
  view: ConfigView,
  groupId: string,
  model: string,
  maxInputTokens: number,
  maxOutputTokens: number | undefined,
): Atto {
  const found = priceOf(view.prices, model);
  if (!found) return 0n;
  const price = parsed(found);
  const list =
    tokenCost(Math.max(0, maxInputTokens), price.dearestInput) +
    tokenCost(Math.max(0, maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS), price.outputPerMtok);
  return mulDecimal(list, rateOf(view, groupId));
}

function nonNegative(tokens: bigint): bigint {
  return tokens > 0n ? tokens : 0n;
}
