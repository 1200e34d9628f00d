import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { AccountMark } from "../routing/failover-policy.js";
import { isEmptyState, mergeMark, type StoredAccountState } from "./account-state.js";
import {
  type AcquireCandidate,
  type AcquireRequest,
  type AcquireResult,
  DEFAULT_SLOT_LEASE_MS,
  DEFAULT_STICKY_TTL_MS,
  type LockResult,
  leaseFor,
  type RoutingCounts,
  type RoutingStore,
  type RuntimeView,
  type SlotLease,
} from "./routing-store.js";
import { LocalRuntimeView } from "./runtime-view.js";

// The routing store in process, for `npm start` (one data plane, no Redis). It keeps the Redis store's
// semantics exactly (routing-store.case.ts runs the same suite on both); the state lives in a
// MemoryRoutingState that several stores may share, each standing for a data plane, as Redis is
// shared.

interface Expiring<T> {
  readonly value: T;
  expiresAt: number;
}

/** Request id -> lease expiry (epoch ms). */
type SlotSet = Map<string, number>;

interface RuntimeChange {
  readonly version: number;
  readonly accountId: string;
  readonly state: StoredAccountState;
}

/** What Redis holds for the Redis store. */
export class MemoryRoutingState {
  /**
   * Insertion order is nearly expiry order: a binding is moved to the end when refreshed past half its
   * TTL, and only extended in place before that, so no entry outlives the ones after it by more than
   * half a TTL.
   */
  readonly sticky = new Map<string, Expiring<string>>();
  readonly userSlots = new Map<string, SlotSet>();
  readonly accountSlots = new Map<string, SlotSet>();
  readonly lastUsed = new Map<string, number>();
  readonly accounts = new Map<string, StoredAccountState>();
  version = 0;
  readonly locks = new Map<string, Expiring<string>>();
  /** "runtime" (RuntimeChange) and "slot-freed" (the request id), as the Redis channels. */
  readonly events = new EventEmitter().setMaxListeners(0);
}

export interface MemoryStoreOptions {
  /** Shared with other stores to stand for several data planes (tests); default a state of its own. */
  readonly state?: MemoryRoutingState;
  readonly slotLeaseMs?: number;
  readonly stickyTtlMs?: number;
}

export function openMemoryStore(options: MemoryStoreOptions = {}): RoutingStore {
  return new MemoryStore(options);
}

function slotSet(sets: Map<string, SlotSet>, id: string): SlotSet {
  let set = sets.get(id);
  if (!set) {
    set = new Map();
    sets.set(id, set);
  }
  return set;
}

/** Counted as the ROUTE script (redis-scripts.ts) counts it for a release: expired leases included. */
function atLimit(set: SlotSet | undefined, limit: number): boolean {
  return limit > 0 && (set?.size ?? 0) >= limit;
}

/**
 * Whether the set has room under the limit (0 = unlimited). A lease past its expiry belongs to a data
 * plane that stopped renewing it; the set is swept only when it looks full, so the common case never
 * scans every request in flight.
 */
function hasRoom(set: SlotSet, limit: number, now: number): boolean {
  if (limit === 0 || set.size < limit) return true;
  for (const [requestId, expiresAt] of set) if (expiresAt <= now) set.delete(requestId);
  return set.size < limit;
}

class MemoryStore implements RoutingStore {
  readonly slotLeaseMs: number;
  private readonly stickyTtlMs: number;
  private readonly state: MemoryRoutingState;
  private readonly view = new LocalRuntimeView();
  private readonly slotFreed = new EventEmitter().setMaxListeners(0);
  private readonly onRuntime = (change: RuntimeChange) =>
    this.view.applyState(change.version, change.accountId, change.state);
  private readonly onSlotFreedEvent = (requestId: string) => this.slotFreed.emit("freed", requestId);
  private acquires = 0;

  constructor(options: MemoryStoreOptions) {
    this.state = options.state ?? new MemoryRoutingState();
    this.slotLeaseMs = options.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
    this.stickyTtlMs = options.stickyTtlMs ?? DEFAULT_STICKY_TTL_MS;
    this.view.replaceAll(this.state.version, this.state.accounts);
    this.state.events.on("runtime", this.onRuntime);
    this.state.events.on("slot-freed", this.onSlotFreedEvent);
  }

  get runtime(): RuntimeView {
    return this.view;
  }

  routingCounts(): RoutingCounts {
    return { acquires: this.acquires, roundTrips: 0, knownSessions: 0 };
  }

  acquire(request: AcquireRequest): AcquireResult {
    const { candidates, sessionKeys, groupId } = request;
    if (candidates.length === 0) throw new RangeError("acquire needs at least one candidate");
    this.acquires++;
    const now = Date.now();
    const userSet = slotSet(this.state.userSlots, request.userId);
    const accountSets = candidates.map((candidate) => slotSet(this.state.accountSlots, candidate.id));

    let boundIndex = -1;
    for (const sessionKey of sessionKeys) {
      const key = `${groupId}:${sessionKey}`;
      const binding = this.liveBinding(key, now);
      if (binding === undefined) continue;
      boundIndex = candidates.findIndex((candidate) => candidate.id === binding);
      if (boundIndex < 0) this.state.sticky.delete(key);
      break;
    }

    // The bound account first, then the candidates in their order.
    const roomAt = (i: number) => hasRoom(accountSets[i] as SlotSet, candidates[i]?.concurrency ?? 0, now);
    let chosen = -1;
    const userFull = !hasRoom(userSet, request.userConcurrency, now);
    if (!userFull) {
      if (boundIndex >= 0 && roomAt(boundIndex)) chosen = boundIndex;
      for (let i = 0; chosen < 0 && i < candidates.length; i++) if (i !== boundIndex && roomAt(i)) chosen = i;
    }

    const account = candidates[chosen];
    if (account) {
      const expiry = now + this.slotLeaseMs;
      userSet.set(request.requestId, expiry);
      accountSets[chosen]?.set(request.requestId, expiry);
      const longest = sessionKeys[0];
      if (longest !== undefined) this.bindKey(`${groupId}:${longest}`, account.id, now);
      this.state.lastUsed.set(account.id, now);
    }

    for (let i = 0; i < candidates.length; i++) {
      const id = (candidates[i] as AcquireCandidate).id;
      this.view.applyLoad(id, { inFlight: accountSets[i]?.size ?? 0, lastUsedAt: this.state.lastUsed.get(id) ?? 0 });
    }
    if (account) return { ok: true, lease: leaseFor(request, account), sticky: chosen === boundIndex };
    return { ok: false, limit: userFull ? "user" : "account" };
  }

  release(lease: SlotLease): void {
    const userSet = this.state.userSlots.get(lease.userId);
    const accountSet = this.state.accountSlots.get(lease.accountId);
    const full = atLimit(userSet, lease.userConcurrency) || atLimit(accountSet, lease.accountConcurrency);
    const user = userSet?.delete(lease.requestId) ?? false;
    const account = accountSet?.delete(lease.requestId) ?? false;
    // Delivered later, as a Redis message would be: a listener that acquires runs after release returns.
    if ((user || account) && full) setImmediate(() => this.state.events.emit("slot-freed", lease.requestId));
  }

  async renew(leases: readonly SlotLease[]): Promise<void> {
    const now = Date.now();
    const expiry = now + this.slotLeaseMs;
    for (const lease of leases) {
      for (const set of [this.state.userSlots.get(lease.userId), this.state.accountSlots.get(lease.accountId)]) {
        const current = set?.get(lease.requestId);
        if (set && current !== undefined && current > now) set.set(lease.requestId, expiry);
      }
    }
  }

  onSlotFreed(listener: (requestId: string) => void): () => void {
    this.slotFreed.on("freed", listener);
    return () => this.slotFreed.off("freed", listener);
  }

  async bind(groupId: string, sessionKey: string, accountId: string): Promise<void> {
    this.bindKey(`${groupId}:${sessionKey}`, accountId, Date.now());
  }

  async mark(accountId: string, mark: AccountMark): Promise<void> {
    if (mark.kind === "none") return;
    this.setState(accountId, mergeMark(this.state.accounts.get(accountId) ?? {}, mark, Date.now()));
  }

  async clear(accountId: string): Promise<void> {
    this.setState(accountId, {});
  }

  async withLock<T>(name: string, ttlMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
    const { locks } = this.state;
    const now = Date.now();
    const held = locks.get(name);
    if (held && held.expiresAt > now) return { acquired: false };
    const token = randomBytes(16).toString("hex");
    locks.set(name, { value: token, expiresAt: now + ttlMs });
    try {
      return { acquired: true, value: await fn(AbortSignal.timeout(ttlMs)) };
    } finally {
      if (locks.get(name)?.value === token) locks.delete(name);
    }
  }

  async close(): Promise<void> {
    this.state.events.off("runtime", this.onRuntime);
    this.state.events.off("slot-freed", this.onSlotFreedEvent);
    this.slotFreed.removeAllListeners();
  }

  private liveBinding(key: string, now: number): string | undefined {
    const binding = this.state.sticky.get(key);
    if (binding === undefined || binding.expiresAt > now) return binding?.value;
    this.state.sticky.delete(key);
    return undefined;
  }

  private bindKey(key: string, accountId: string, now: number): void {
    const { sticky } = this.state;
    const expiresAt = now + this.stickyTtlMs;
    const bound = sticky.get(key);
    // A conversation's every request rebinds it: moving the entry each time (a delete and a set) made
    // the map rehash as deleted slots piled up.
    if (bound?.value === accountId && bound.expiresAt - now > this.stickyTtlMs / 2) {
      bound.expiresAt = expiresAt;
      return;
    }
    sticky.delete(key);
    sticky.set(key, { value: accountId, expiresAt });
    // Sweep from the oldest: bindings nobody looks up again must not pile up.
    for (const [oldKey, binding] of sticky) {
      if (binding.expiresAt > now) break;
      sticky.delete(oldKey);
    }
  }

  private setState(accountId: string, state: StoredAccountState): void {
    const { accounts } = this.state;
    if (isEmptyState(state)) accounts.delete(accountId);
    else accounts.set(accountId, state);
    const change: RuntimeChange = { version: ++this.state.version, accountId, state };
    this.state.events.emit("runtime", change);
  }
}
