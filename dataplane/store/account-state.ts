import type { AccountMark } from "../routing/failover-policy.js";
import type { AccountRuntimeState, CandidateLoad } from "./routing-store.js";

// An account's shared cooldown and error state, as stored (JSON in Redis, an object in memory) and
// how a mark changes it. The Lua in redis-scripts.ts applies the same rules atomically.

/** Epoch ms; absent = not set. Fields whose time has passed are pruned on the next change. */
export interface StoredAccountState {
  readonly rateLimitedUntil?: number;
  readonly overloadedUntil?: number;
  readonly tempUnschedulableUntil?: number;
  readonly tempUnschedulableReason?: string;
  /** Present while the account is in error, until cleared. */
  readonly errorMessage?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The state after a mark. A mark never shortens a cooldown another data plane set (the later of the
 * two ends wins, a reason goes with its end); only clear does. An error replaces the previous message.
 */
export function mergeMark(state: StoredAccountState, mark: AccountMark, now: number): StoredAccountState {
  const next: Mutable<StoredAccountState> = { ...state };
  switch (mark.kind) {
    case "none":
      break;
    case "rate_limited":
      next.rateLimitedUntil = Math.max(mark.until, state.rateLimitedUntil ?? 0);
      break;
    case "overloaded":
      next.overloadedUntil = Math.max(mark.until, state.overloadedUntil ?? 0);
      break;
    case "temp_unschedulable":
      if (mark.until > (state.tempUnschedulableUntil ?? 0)) {
        next.tempUnschedulableUntil = mark.until;
        next.tempUnschedulableReason = mark.reason;
      }
      break;
    case "error":
      next.errorMessage = mark.reason;
      break;
  }
  if ((next.rateLimitedUntil ?? now) <= now) delete next.rateLimitedUntil;
  if ((next.overloadedUntil ?? now) <= now) delete next.overloadedUntil;
  if ((next.tempUnschedulableUntil ?? now) <= now) {
    delete next.tempUnschedulableUntil;
    delete next.tempUnschedulableReason;
  }
  return next;
}

export function isEmptyState(state: StoredAccountState): boolean {
  return Object.keys(state).length === 0;
}

/** What account-choice reads: the shared state plus the load last seen. */
export function runtimeState(
  state: StoredAccountState | undefined,
  load: CandidateLoad | undefined,
): AccountRuntimeState | undefined {
  // A healthy account has no state: its load alone is the answer, read for every candidate of every
  // request, without building an object.
  if (state === undefined) return load;
  return {
    ...state,
    ...(state?.errorMessage !== undefined && { inError: true }),
    ...load,
  };
}
