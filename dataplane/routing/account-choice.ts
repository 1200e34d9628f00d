import { AccountStatus } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";

// Account choice within the serving group (DESIGN §5.7). Eligible: schedulable, active, the group's
// platform, a member of the group, serving the model, not cooling down (rate limited, overloaded,
// temporarily unschedulable), not in error, not already tried by this request. Order: the sticky
// account first while it is eligible (its prompt cache is warm); then lowest priority number, lowest
// load, least recently used, and the id, so equal inputs always give the same order. Slots are taken
// by the caller in this order (they live in the shared store): a full account is kept, just last by
// load, because the in-flight count it was sorted on may already be stale.

/** The generated plane `Account`, taken structurally. */
export interface AccountRecord {
  readonly id: string;
  readonly platform: Platform;
  readonly groupIds: readonly string[];
  /** Lower is tried first. */
  readonly priority: number;
  /** 0 = unlimited. */
  readonly concurrency: number;
  readonly schedulable: boolean;
  readonly status: AccountStatus;
  /** Empty = every model of the platform. */
  readonly models: readonly string[];
}

/** What the data planes know about an account right now (shared store); epoch ms. */
export interface AccountRuntime {
  readonly rateLimitedUntil?: number;
  readonly overloadedUntil?: number;
  readonly tempUnschedulableUntil?: number;
  /** The upstream refused its credentials; cleared by an admin (ClearAccountState). */
  readonly inError?: boolean;
  readonly inFlight?: number;
  readonly lastUsedAt?: number;
}

export interface AccountChoiceState {
  readonly groupId: string;
  readonly platform: Platform;
  /** "" when the request names no model (model lists): no model filter. */
  readonly model: string;
  readonly runtime: { get(accountId: string): AccountRuntime | undefined };
  /** Accounts this request already failed on. */
  readonly tried: ReadonlySet<string>;
}

const IDLE: AccountRuntime = Object.freeze({});

function coolingDown(runtime: AccountRuntime, now: number): boolean {
  return (
    (runtime.rateLimitedUntil ?? 0) > now ||
    (runtime.overloadedUntil ?? 0) > now ||
    (runtime.tempUnschedulableUntil ?? 0) > now
  );
}

function eligible(account: AccountRecord, runtime: AccountRuntime, state: AccountChoiceState, now: number): boolean {
  return (
    account.schedulable &&
    account.status === AccountStatus.ACTIVE &&
    account.platform === state.platform &&
    account.groupIds.includes(state.groupId) &&
    (state.model === "" || account.models.length === 0 || account.models.includes(state.model)) &&
    !state.tried.has(account.id) &&
    runtime.inError !== true &&
    !coolingDown(runtime, now)
  );
}

interface Ranked<A> {
  readonly account: A;
  readonly load: number;
  readonly lastUsedAt: number;
}

function load(account: AccountRecord, runtime: AccountRuntime): number {
  return account.concurrency > 0 ? (runtime.inFlight ?? 0) / account.concurrency : 0;
}

function compare<A extends AccountRecord>(a: Ranked<A>, b: Ranked<A>): number {
  return (
    a.account.priority - b.account.priority ||
    a.load - b.load ||
    a.lastUsedAt - b.lastUsedAt ||
    (a.account.id < b.account.id ? -1 : a.account.id > b.account.id ? 1 : 0)
  );
}

/**
 * The eligible candidates in the order to try them. When `sticky` is given but not first in the
 * result, its binding can no longer serve: the caller drops it and binds the account that succeeds.
 */
export function chooseAccount<A extends AccountRecord>(
  candidates: readonly A[],
  state: AccountChoiceState,
  sticky: string | undefined,
  now: number,
): A[] {
  const ranked: Ranked<A>[] = [];
  let stickyAccount: A | undefined;
  for (const account of candidates) {
    const runtime = state.runtime.get(account.id) ?? IDLE;
    if (!eligible(account, runtime, state, now)) continue;
    if (account.id === sticky) stickyAccount = account;
    else ranked.push({ account, load: load(account, runtime), lastUsedAt: runtime.lastUsedAt ?? 0 });
  }
  ranked.sort(compare);
  const ordered = ranked.map((entry) => entry.account);
  if (stickyAccount) ordered.unshift(stickyAccount);
  return ordered;
}
