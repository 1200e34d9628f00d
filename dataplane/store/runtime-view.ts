import { isEmptyState, runtimeState, type StoredAccountState } from "./account-state.js";
import type { AccountRuntimeState, CandidateLoad, RuntimeView } from "./routing-store.js";

// A data plane's local copy of the shared account state, read on the hot path without a round trip.
// Every change carries the shared store's version (one counter for all accounts), so a change that
// arrives late by another path (a reply racing a broadcast, a full reload racing both) never
// overwrites a newer one.

export class LocalRuntimeView implements RuntimeView {
  private states = new Map<string, StoredAccountState>();
  private versions = new Map<string, number>();
  /** The version of the last full load: what every account not changed since has. */
  private baseline = 0;
  private readonly loads = new Map<string, CandidateLoad>();

  get(accountId: string): AccountRuntimeState | undefined {
    return runtimeState(this.states.get(accountId), this.loads.get(accountId));
  }

  /** One account's state as of `version` (empty = nothing set). */
  applyState(version: number, accountId: string, state: StoredAccountState): void {
    if (version <= (this.versions.get(accountId) ?? this.baseline)) return;
    this.versions.set(accountId, version);
    if (isEmptyState(state)) this.states.delete(accountId);
    else this.states.set(accountId, state);
  }

  /** Every account's state as of `version`, replacing all; the caller reapplies changes that raced it. */
  replaceAll(version: number, states: ReadonlyMap<string, StoredAccountState>): void {
    this.states = new Map(states);
    this.versions = new Map();
    this.baseline = version;
  }

  applyLoad(accountId: string, load: CandidateLoad): void {
    this.loads.set(accountId, load);
  }
}
