import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Account, AccountStatus } from "../../../gen/tollgate/admin/v1/account_pb.js";

// What keeps an account from serving right now (DESIGN §5.9): a cooldown, a rate limit or overload that
// has not run out yet, or the error status. Timestamps in the past mean the state has already lapsed.

export type AccountCondition =
  | { kind: "cooling_down"; until: Date; reason: string }
  | { kind: "rate_limited"; until: Date }
  | { kind: "overloaded"; until: Date }
  | { kind: "error"; reason: string }
  | { kind: "disabled" };

export function accountConditions(account: Account, now: Date): AccountCondition[] {
  const conditions: AccountCondition[] = [];
  const state = account.state;
  const future = (ts: Parameters<typeof timestampDate>[0] | undefined) => {
    const date = ts ? timestampDate(ts) : undefined;
    return date && date.getTime() > now.getTime() ? date : undefined;
  };
  if (account.status === AccountStatus.ERROR) conditions.push({ kind: "error", reason: state?.lastError ?? "" });
  if (account.status === AccountStatus.DISABLED) conditions.push({ kind: "disabled" });
  const cooling = future(state?.tempUnschedulableUntil);
  if (cooling) conditions.push({ kind: "cooling_down", until: cooling, reason: state?.reason ?? "" });
  const limited = future(state?.rateLimitedUntil);
  if (limited) conditions.push({ kind: "rate_limited", until: limited });
  const overloaded = future(state?.overloadedUntil);
  if (overloaded) conditions.push({ kind: "overloaded", until: overloaded });
  return conditions;
}

/** Accounts the dashboard lists as needing attention: cooling down, rate limited, overloaded or in error. */
export function troubledAccounts(
  accounts: readonly Account[],
  now: Date,
): { account: Account; conditions: AccountCondition[] }[] {
  return accounts
    .map((account) => ({ account, conditions: accountConditions(account, now).filter((c) => c.kind !== "disabled") }))
    .filter((entry) => entry.conditions.length > 0);
}
