import type { Atto } from "../../common/money.js";

// May one more request spend from a budget (a key's quota, a user's balance)? The decision behind
// "a key never overspends its limit by more than one request per data plane".
//
// R = limit - used - pending is what this data plane knows remains: `used` from its config view,
// `pending` the cost of its own records not yet acked (spooled, perhaps not even sent while the control
// plane is away). A request is admitted only while R > 0, and then only if it would be the budget's
// sole request in flight here, or if the ceilings of all requests in flight, its own included, fit in R.
//
// The bound: let D = (sum of in-flight ceilings) - R. Admitting a request that is not alone leaves
// D <= 0. Admitting a lone request leaves D < its ceiling, since R > 0. Completing a request moves its
// actual cost (at most its ceiling) from in flight to pending, so D does not grow. When nothing is in
// flight, the spend beyond the limit is -R = D, which is then less than the cost of one request
// (the last one admitted alone). A request with no known ceiling counts as unbounded: it only runs alone.
//
// What one data plane cannot see: other data planes' spend not yet in its config view, and its own
// spend between the ack and the config delta that carries it. Both last as long as config propagation
// (milliseconds while the control plane is up).

export interface Budget {
  /** The most that may be spent; undefined = unlimited. */
  limit: Atto | undefined;
  /** Spent as of the config view. */
  used: Atto;
  /** Spent on this data plane and not yet acked. */
  pending: Atto;
  /** This budget's requests in flight here. */
  inFlight: InFlight;
}

/**
 * The requests in flight against a budget, kept as running totals: a user with a thousand streams
 * open would otherwise make every admission walk a thousand ceilings.
 */
export interface InFlight {
  count: number;
  /** Those without a known ceiling. */
  unbounded: number;
  /** The sum of the others' ceilings. */
  ceilings: Atto;
}

export type Admission = "admit" | "exhausted" | "one_at_a_time";

export function admitSpend(budget: Budget, ceiling: Atto | undefined): Admission {
  if (budget.limit === undefined) return "admit";
  const remaining = budget.limit - budget.used - budget.pending;
  if (remaining <= 0n) return "exhausted";
  const { inFlight } = budget;
  if (inFlight.count === 0) return "admit";
  if (ceiling === undefined || inFlight.unbounded > 0) return "one_at_a_time";
  return ceiling + inFlight.ceilings <= remaining ? "admit" : "one_at_a_time";
}

/** Counts a request in (+1) or out (-1) of the totals. */
export function countInFlight(totals: InFlight, ceiling: Atto | undefined, sign: 1 | -1): void {
  totals.count += sign;
  if (ceiling === undefined) totals.unbounded += sign;
  else totals.ceilings += sign === 1 ? ceiling : -ceiling;
}
