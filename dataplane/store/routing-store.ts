import type { AccountRuntime } from "../routing/account-choice.js";
import type { AccountMark } from "../routing/failover-policy.js";

// The routing state all data planes share (DESIGN §5.6-5.9, §7): sticky bindings, concurrency slots,
// account cooldowns and a lock for OAuth refresh. Two implementations with the same semantics:
// redis-store.ts (production, shared by any number of data planes) and memory-store.ts (`npm start`).
// The pure decisions stay in dataplane/routing/; this is only the state they run on.

/** One held slot: the request holds one place in its user's and one in its account's set. */
export interface SlotLease {
  readonly requestId: string;
  readonly accountId: string;
  readonly userId: string;
  /** The limits it was taken under (0 = unlimited): only a release from a full set can free a waiter. */
  readonly userConcurrency: number;
  readonly accountConcurrency: number;
}

/** The lease an acquire hands out when it took a slot of `account`. */
export function leaseFor(request: AcquireRequest, account: AcquireCandidate): SlotLease {
  return {
    requestId: request.requestId,
    accountId: account.id,
    userId: request.userId,
    userConcurrency: request.userConcurrency,
    accountConcurrency: account.concurrency,
  };
}

export interface AcquireCandidate {
  readonly id: string;
  /** 0 = unlimited. */
  readonly concurrency: number;
}

export interface AcquireRequest {
  readonly requestId: string;
  readonly groupId: string;
  /** The session's keys longest first (sessionKeys()); the first is the one bound on success. */
  readonly sessionKeys: readonly string[];
  /**
   * The config version that last changed an account (ConfigView.accountsVersion). What a data plane
   * learned of a session's binding under an older one is not trusted: an account may have left the
   * group and come back meanwhile, and the session moved elsewhere.
   */
  readonly accountsVersion: bigint;
  readonly userId: string;
  /** The user's concurrency; 0 = unlimited. */
  readonly userConcurrency: number;
  /**
   * Every eligible account in the order to try it, as chooseAccount orders them without a sticky
   * account; the store moves the session's bound account to the front itself. Must not be empty.
   */
  readonly candidates: readonly AcquireCandidate[];
}

/** A candidate's shared load as the acquire saw it (this request's own slot included). */
export interface CandidateLoad {
  readonly inFlight: number;
  /** Epoch ms of its last acquire by any data plane; 0 = never. */
  readonly lastUsedAt: number;
}

export type AcquireResult =
  | {
      readonly ok: true;
      readonly lease: SlotLease;
      /** The session was already bound to this account. */
      readonly sticky: boolean;
    }
  | {
      readonly ok: false;
      /** user: the user's own limit is reached; account: every candidate is full. */
      readonly limit: "user" | "account";
    };

/** What the data planes know about an account right now, as account-choice reads it. */
export interface AccountRuntimeState extends AccountRuntime {
  readonly tempUnschedulableReason?: string;
  /** Why the account is in error (inError is true). */
  readonly errorMessage?: string;
}

export interface RuntimeView {
  get(accountId: string): AccountRuntimeState | undefined;
}

export type LockResult<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

export interface RoutingStore {
  /** How long a slot is held without renew(); renew well within it (a third is a good period). */
  readonly slotLeaseMs: number;

  /**
   * One round trip (shared with the other acquires of the event-loop turn on Redis): finds the
   * session's binding in the group, takes a user slot and the first candidate's account slot that
   * has room (the bound account first while it is a candidate, else its binding is dropped), binds
   * the session's longest key to the chosen account, records its last use and refreshes the local
   * load view (runtime) of every candidate. Slots of crashed data planes free themselves after
   * slotLeaseMs. On Redis, a session this data plane is serving, on an account and for a user without
   * a concurrency limit, is answered without waiting for the round trip (nothing could refuse it);
   * if another data plane has moved the session meanwhile, the binding stays moved and the session's
   * next request here follows it. Answered at once, not as a promise, when no round trip is needed
   * (always in memory; on Redis that known session): the request then goes on in the same turn.
   * Throws RangeError without candidates.
   */
  acquire(request: AcquireRequest): AcquireResult | Promise<AcquireResult>;

  /**
   * One round trip (shared with the other releases of the event-loop turn on Redis): frees both slots
   * and, when either set was at its limit under the lease's limits (a request may be waiting for it),
   * tells every data plane's onSlotFreed listeners. Most requests run under no limit they reach, and
   * announcing each of their releases to every data plane cost a message per request. A limit
   * lowered since the lease was taken can leave a release unannounced: waiters retry on their timer.
   * On Redis, the release of a lease taken under no limit (nobody can wait for it) may wait a few
   * milliseconds to share a call. Done at once, not as a promise, when no round trip is needed
   * (always in memory).
   */
  release(lease: SlotLease): void | Promise<void>;

  /** One round trip: extends the leases still held by slotLeaseMs; a released or expired one stays gone. */
  renew(leases: readonly SlotLease[]): Promise<void>;

  /**
   * Called (on every data plane) with the request id when a release frees a slot a request may be
   * waiting for; a lease that expires calls nobody, so waiters also retry on a timer. Returns the
   * unsubscribe function.
   */
  onSlotFreed(listener: (requestId: string) => void): () => void;

  /** Binds a session to an account outright (TTL as acquire's): for ids a response hands out, like OpenAI Responses'. */
  bind(groupId: string, sessionKey: string, accountId: string): Promise<void>;

  /** Local, always current: cooldowns from every data plane, loads from this one's last acquires. */
  readonly runtime: RuntimeView;

  /**
   * Records what failover-policy decided for the account, for every data plane (a "none" mark costs
   * nothing). Resolves once this data plane's own view shows it.
   */
  mark(accountId: string, mark: AccountMark): Promise<void>;

  /** Clears every cooldown and the error state of the account, for every data plane. */
  clear(accountId: string): Promise<void>;

  /**
   * Runs fn while holding the named lock across all data planes, or returns { acquired: false } at
   * once when another holds it. The lock lapses after ttlMs (a crashed holder cannot block others);
   * fn's signal aborts then, and a late finish never releases a later holder's lock.
   */
  withLock<T>(name: string, ttlMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<LockResult<T>>;

  /** Counts since the store opened, for the metrics (read when they are scraped). */
  routingCounts(): RoutingCounts;

  /** Stops listening for other data planes' changes; the store is unusable afterwards. */
  close(): Promise<void>;
}

export interface RoutingCounts {
  /** acquire() calls answered, granted or refused (a queued request's retries included). */
  readonly acquires: number;
  /** Of those, the ones that waited for a round trip to Redis (none in memory). */
  readonly roundTrips: number;
  /** Sessions remembered to be answered without a round trip (none in memory). */
  readonly knownSessions: number;
}

export const DEFAULT_SLOT_LEASE_MS = 5 * 60_000;
export const DEFAULT_STICKY_TTL_MS = 60 * 60_000;
