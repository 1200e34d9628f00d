import { type Atto, mulDecimal, parseDecimal, tokenCost } from "../../common/money.js";
import type { ModelPrice, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigView } from "./config-view.js";

// What the control plane will bill for a usage record (DESIGN §6), from the prices and group rate in
// the config view, so the data plane can count spend it has not yet seen billed. The rules mirror the
// control plane's pricing: exact model name first, else the longest matching `prefix*`; no price bills
// 0; a group missing from the view bills at rate 1.

const ONE = 10n ** 18n;

/** The price that applies to a model, or undefined when none matches. */
export function priceOf(prices: ReadonlyMap<string, ModelPrice>, model: string): ModelPrice | undefined {
  const exact = prices.get(model);
  if (exact) return exact;
  let best: ModelPrice | undefined;
  let bestLength = -1;
  for (const [pattern, price] of prices) {
    if (!pattern.endsWith("*")) continue;
    const prefix = pattern.slice(0, -1);
    if (prefix.length > bestLength && model.startsWith(prefix)) {
      best = price;
      bestLength = prefix.length;
    }
  }
  return best;
}

const money = (text: string): Atto => parseDecimal(text) ?? 0n;

function rateOf(view: ConfigView, groupId: string): Atto {
  const group = view.groups.get(groupId);
  return group ? (parseDecimal(group.rateMultiplier) ?? ONE) : ONE;
}

/** The record's actual cost: its tokens at the model's price, times its group's rate multiplier. */
export function recordCost(view: ConfigView, record: UsageRecord): Atto {
  const price = priceOf(view.prices, record.model);
  if (!price) return 0n;
  const list =
    tokenCost(nonNegative(record.inputTokens), money(price.inputPerMtok)) +
    tokenCost(nonNegative(record.outputTokens), money(price.outputPerMtok)) +
    tokenCost(nonNegative(record.cacheCreationTokens), money(price.cacheWritePerMtok)) +
    tokenCost(nonNegative(record.cacheReadTokens), money(price.cacheReadPerMtok));
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
  const price = priceOf(view.prices, model);
  if (!price) return 0n;
  let dearestInput = 0n;
  for (const text of [price.inputPerMtok, price.cacheWritePerMtok, price.cacheReadPerMtok]) {
    if (money(text) > dearestInput) dearestInput = money(text);
  }
  const list =
    tokenCost(Math.max(0, maxInputTokens), dearestInput) +
    tokenCost(Math.max(0, maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS), money(price.outputPerMtok));
  return mulDecimal(list, rateOf(view, groupId));
}

function nonNegative(tokens: bigint): bigint {
  return tokens > 0n ? tokens : 0n;
}
