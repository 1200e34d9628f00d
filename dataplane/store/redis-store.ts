import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { AccountMark } from "../routing/failover-policy.js";
import type { StoredAccountState } from "./account-state.js";
import { KNOWN_BINDING_MS, KnownBindings, unrefusableCandidate } from "./known-bindings.js";
import { defineRoutingScripts, type RoutingScripts } from "./redis-scripts.js";
import {
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
import { TurnBatch } from "./turn-batch.js";

// The routing store on Redis, shared by every data plane. The hot path's acquires and releases are
// script calls (redis-scripts.ts): all those of one event-loop turn in one call (turn-batch.ts). A
// request of a session this data plane is serving, under no concurrency limit, does not wait for its
// call: nothing could refuse it, and the call still takes the slot and refreshes the binding
// (known-bindings.ts). Calls nobody waits for (those, and releases of slots under no limit) wait up
// to DEFERRED_MS to go with the next call: at a moderate rate Redis's work and its answer then seldom
// fall inside a request, and under load one call carries many.
//
// A second connection listens for other data planes' account marks and slot releases; the account
// state is reloaded whole whenever that connection (re)connects, so a message missed while it was
// down is never lost for good.
//
// Keys (under keyPrefix): sticky:{groupId}:{sessionKey} -> account id; slots:user:{id} and
// slots:account:{id}, sorted sets of request ids scored by lease expiry; last-used, a hash of account
// id -> epoch ms; runtime, a hash of account id -> state JSON, and runtime:version; lock:{name}.
// Channels: {prefix}runtime, {prefix}slot-freed. A single Redis (or a primary with replicas): the
// scripts touch keys of many hash slots, which Redis Cluster refuses.

export interface RedisStoreOptions {
  /**
   * The command connection; the caller owns it (and closes it after the store). It must have no
   * keyPrefix of its own. Its options are copied for the store's listening connection.
   */
  readonly redis: Redis;
  /** Default "tollgate:". */
  readonly keyPrefix?: string;
  readonly slotLeaseMs?: number;
  readonly stickyTtlMs?: number;
  /**
   * Every failure nobody awaits: a connection's (one per reconnection attempt while Redis is down), a
   * reload (retried), a broadcast that could not be read, a call sent behind a request. Repeats are
   * the caller's to thin out.
   */
  readonly onError: (error: Error) => void;
}

/**
 * One call of the turn's script: an acquire (behind: sent for a request already routed, see
 * known-bindings.ts) or a release.
 */
type RouteCall = { readonly acquire: AcquireRequest; readonly behind: boolean } | { readonly release: SlotLease };

interface RuntimeMessage {
  version: number;
  accountId: string;
  state: StoredAccountState;
}

const RESYNC_RETRY_MS = 1000;
/** How long a call nobody waits for may wait to go with the next one (its slot shows that much later). */
export const DEFERRED_MS = 10;
export const DEFAULT_KEY_PREFIX = "tollgate:";

/** Connects the listening connection and loads the account state before resolving. */
export async function openRedisStore(options: RedisStoreOptions): Promise<RoutingStore> {
  if (options.redis.options.keyPrefix) throw new Error("the routing store's Redis connection must have no keyPrefix");
  const store = new RedisStore(options);
  try {
    await store.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

class RedisStore implements RoutingStore {
  readonly slotLeaseMs: number;
  private readonly stickyTtlMs: number;
  private readonly prefix: string;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly scripts: RoutingScripts;
  private readonly onError: (error: Error) => void;
  private readonly view = new LocalRuntimeView();
  private readonly known: KnownBindings;
  private readonly slotFreed = new EventEmitter();
  private readonly runtimeChannel: string;
  private readonly slotFreedChannel: string;
  /** The turn's acquires and releases, sent in one script call (sendRoute). */
  private readonly route = new TurnBatch((calls: readonly RouteCall[]) => this.sendRoute(calls));
  /** Changes received while a reload is in flight, reapplied over its result. */
  private racing: RuntimeMessage[] | undefined;
  private resyncs: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private acquires = 0;
  private roundTrips = 0;

  constructor(options: RedisStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.slotLeaseMs = options.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
    this.stickyTtlMs = options.stickyTtlMs ?? DEFAULT_STICKY_TTL_MS;
    this.onError = options.onError;
    this.known = new KnownBindings(Math.min(KNOWN_BINDING_MS, this.stickyTtlMs));
    this.scripts = defineRoutingScripts(this.redis);
    this.runtimeChannel = `${this.prefix}runtime`;
    this.slotFreedChannel = `${this.prefix}slot-freed`;
    this.slotFreed.setMaxListeners(0);
    // Named so an operator (and a test) can tell it in CLIENT LIST; names may not contain spaces.
    this.subscriber = this.redis.duplicate({ connectionName: `${this.prefix}listener`.replace(/\s/g, "_") });
    this.subscriber.on("message", (channel: string, message: string) => this.onMessage(channel, message));
    this.subscriber.on("ready", () => {
      if (this.started) this.scheduleResync();
    });
    // ioredis reconnects by itself; the reload follows on "ready".
    // ioredis emits an error per reconnection attempt (and prints it when nothing listens); repeats
    // are for onError's owner to thin out, as with every other failure an outage repeats.
    this.subscriber.on("error", this.onError);
    this.redis.on("error", this.onError);
  }

  get runtime(): RuntimeView {
    return this.view;
  }

  routingCounts(): RoutingCounts {
    return { acquires: this.acquires, roundTrips: this.roundTrips, knownSessions: this.known.size };
  }

  async start(): Promise<void> {
    await this.resync();
    this.started = true;
  }

  acquire(request: AcquireRequest): AcquireResult | Promise<AcquireResult> {
    if (request.candidates.length === 0) throw new RangeError("acquire needs at least one candidate");
    const now = Date.now();
    const account = this.closed ? undefined : unrefusableCandidate(request, this.known, now);
    this.acquires++;
    if (!account) {
      this.roundTrips++;
      return this.route.add({ acquire: request, behind: false }) as Promise<AcquireResult>;
    }
    this.known.remember(request, account.id, now);
    const behind = { acquire: { ...request, candidates: [account] }, behind: true };
    // Its answer is read in acquired(); a failure leaves the next request to ask Redis itself.
    this.route.add(behind, DEFERRED_MS).catch((error: Error) => {
      this.known.forget(request);
      this.onError(error);
    });
    return { ok: true, lease: leaseFor(request, account), sticky: true };
  }

  release(lease: SlotLease): Promise<void> {
    // A slot under no limit is one nobody can be waiting for.
    const unlimited = lease.userConcurrency === 0 && lease.accountConcurrency === 0;
    return this.route.add({ release: lease }, unlimited ? DEFERRED_MS : undefined) as Promise<undefined>;
  }

  private async sendRoute(calls: readonly RouteCall[]): Promise<Array<AcquireResult | undefined>> {
    // A request routed and over within one batch: its acquire takes no slot and its release is dropped.
    const behind = new Set(calls.flatMap((call) => ("acquire" in call && call.behind ? [call.acquire.requestId] : [])));
    const released = new Set(calls.flatMap((call) => ("release" in call ? [call.release.requestId] : [])));
    const releases: SlotLease[] = [];
    const acquires: Array<{ request: AcquireRequest; kind: 0 | 1 | 2 }> = [];
    for (const call of calls) {
      if ("release" in call) {
        if (!behind.has(call.release.requestId)) releases.push(call.release);
      } else {
        const kind = !call.behind ? 0 : released.has(call.acquire.requestId) ? 2 : 1;
        acquires.push({ request: call.acquire, kind });
      }
    }
    const keys = [this.key("last-used")];
    const args: Array<string | number> = [this.slotFreedChannel, this.slotLeaseMs, this.stickyTtlMs, releases.length];
    for (const lease of releases) {
      keys.push(this.userSlotsKey(lease.userId), this.accountSlotsKey(lease.accountId));
      args.push(lease.requestId, lease.userConcurrency, lease.accountConcurrency);
    }
    for (const { request, kind } of acquires) {
      const { requestId, userId, groupId, userConcurrency, sessionKeys, candidates } = request;
      keys.push(this.userSlotsKey(userId));
      for (const sessionKey of sessionKeys) keys.push(this.stickyKey(groupId, sessionKey));
      args.push(requestId, userConcurrency, sessionKeys.length, candidates.length, kind);
      for (const candidate of candidates) {
        keys.push(this.accountSlotsKey(candidate.id));
        args.push(candidate.id, candidate.concurrency);
      }
    }
    let replies: unknown[][];
    try {
      replies = (await this.scripts.tollgateRoute(keys, args)) as unknown[][];
      if (replies.length !== acquires.length) {
        throw new Error(`the route script answered ${replies.length} of ${acquires.length} acquires`);
      }
    } catch (error) {
      // Redis keeps what a script wrote before it failed, and every caller of the turn is refused:
      // free whatever slots the turn's acquires took, or they would stay held for a whole lease.
      if (acquires.length > 0) this.freeSlots(acquires.map(({ request }) => request)).catch(this.onError);
      throw error;
    }
    let next = 0;
    return calls.map((call) =>
      "acquire" in call ? this.acquired(call.acquire, call.behind, replies[next++] ?? []) : undefined,
    );
  }

  /** Releases each request's user slot and its slot on every candidate (a release frees only what is held). */
  private async freeSlots(requests: readonly AcquireRequest[]): Promise<void> {
    const keys = [this.key("last-used")];
    const args: Array<string | number> = [this.slotFreedChannel, this.slotLeaseMs, this.stickyTtlMs, 0];
    for (const { requestId, userId, candidates } of requests) {
      for (const candidate of candidates) {
        keys.push(this.userSlotsKey(userId), this.accountSlotsKey(candidate.id));
        // Limits of 0, so nothing is announced: a request waiting for one of these slots retries on its timer.
        args.push(requestId, 0, 0);
      }
    }
    args[3] = (keys.length - 1) / 2;
    await this.scripts.tollgateRoute(keys, args);
  }

  private acquired(request: AcquireRequest, behind: boolean, reply: unknown[]): AcquireResult {
    const { candidates } = request;
    const [status, chosen, sticky] = reply;
    candidates.forEach((candidate, i) => {
      this.view.applyLoad(candidate.id, { inFlight: Number(reply[3 + 2 * i]), lastUsedAt: Number(reply[4 + 2 * i]) });
    });
    const account = candidates[Number(chosen) - 1];
    const ok = status === "ok" && account !== undefined;
    // Routed here: the session is bound to the account chosen. Sent behind: another data plane moved
    // the session (the binding stayed moved), so the next request asks Redis. Refused: the script may
    // have dropped the binding (to an account no longer a candidate).
    if (ok && !behind) this.known.remember(request, account.id, Date.now());
    else if (!ok || sticky !== 1) this.known.forget(request);
    if (ok) return { ok: true, lease: leaseFor(request, account), sticky: sticky === 1 };
    return { ok: false, limit: status === "user" ? "user" : "account" };
  }

  async renew(leases: readonly SlotLease[]): Promise<void> {
    if (leases.length === 0) return;
    const keys: string[] = [];
    const args: Array<string | number> = [this.slotLeaseMs];
    for (const lease of leases) {
      keys.push(this.userSlotsKey(lease.userId), this.accountSlotsKey(lease.accountId));
      args.push(lease.requestId);
    }
    await this.scripts.tollgateRenew(keys, args);
  }

  onSlotFreed(listener: (requestId: string) => void): () => void {
    this.slotFreed.on("freed", listener);
    return () => this.slotFreed.off("freed", listener);
  }

  async bind(groupId: string, sessionKey: string, accountId: string): Promise<void> {
    await this.redis.set(this.stickyKey(groupId, sessionKey), accountId, "PX", this.stickyTtlMs);
  }

  async mark(accountId: string, mark: AccountMark): Promise<void> {
    if (mark.kind === "none") return;
    await this.setRuntime(accountId, JSON.stringify(mark));
  }

  async clear(accountId: string): Promise<void> {
    await this.setRuntime(accountId, "");
  }

  async withLock<T>(name: string, ttlMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
    const key = this.key(`lock:${name}`);
    const token = randomBytes(16).toString("hex");
    if ((await this.redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") return { acquired: false };
    const signal = AbortSignal.timeout(ttlMs);
    try {
      return { acquired: true, value: await fn(signal) };
    } finally {
      // Left in place when Redis cannot be reached: it lapses after ttlMs.
      await this.scripts.tollgateUnlock([key], [token]).catch((error: Error) => this.onError(error));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Calls still waiting for their turn are sent, and they and those already sent answered, before
    // the caller closes the connection (an answer after the disconnect would be lost).
    await this.route.close();
    clearTimeout(this.retryTimer);
    this.slotFreed.removeAllListeners();
    this.subscriber.disconnect();
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private stickyKey(groupId: string, sessionKey: string): string {
    return `${this.prefix}sticky:${groupId}:${sessionKey}`;
  }

  private userSlotsKey(userId: string): string {
    return `${this.prefix}slots:user:${userId}`;
  }

  private accountSlotsKey(accountId: string): string {
    return `${this.prefix}slots:account:${accountId}`;
  }

  private async setRuntime(accountId: string, mark: string): Promise<void> {
    const message = await this.scripts.tollgateSetRuntime(
      [this.key("runtime"), this.key("runtime:version")],
      [this.runtimeChannel, accountId, mark],
    );
    this.applyRuntime(parseRuntimeMessage(String(message)));
  }

  private onMessage(channel: string, message: string): void {
    try {
      if (channel === this.runtimeChannel) this.applyRuntime(parseRuntimeMessage(message));
      else if (channel === this.slotFreedChannel) this.slotFreed.emit("freed", message);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private applyRuntime(message: RuntimeMessage): void {
    // An account's state changed (on any data plane): a session may have moved off or back.
    this.known.clear();
    this.racing?.push(message);
    this.view.applyState(message.version, message.accountId, message.state);
  }

  /** Reloads run one after another (a reconnect during a reload reloads again afterwards). */
  private scheduleResync(): void {
    this.resyncs = this.resyncs
      .then(() => this.resync())
      .catch((error: Error) => {
        this.onError(error);
        clearTimeout(this.retryTimer);
        if (!this.closed) this.retryTimer = setTimeout(() => this.scheduleResync(), RESYNC_RETRY_MS);
      });
  }

  private async resync(): Promise<void> {
    if (this.closed) return;
    this.racing = [];
    try {
      // Subscribed first, so nothing published after the load below can be missed.
      await this.subscriber.subscribe(this.runtimeChannel, this.slotFreedChannel);
      const [version, flat] = (await this.scripts.tollgateLoadRuntime(
        [this.key("runtime"), this.key("runtime:version")],
        [],
      )) as [number, string[]];
      const states = new Map<string, StoredAccountState>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        states.set(flat[i] as string, JSON.parse(flat[i + 1] as string) as StoredAccountState);
      }
      this.view.replaceAll(version, states);
      this.known.clear();
      for (const message of this.racing) this.view.applyState(message.version, message.accountId, message.state);
    } finally {
      this.racing = undefined;
    }
  }
}

function parseRuntimeMessage(text: string): RuntimeMessage {
  const message = JSON.parse(text) as Partial<RuntimeMessage>;
  if (
    typeof message.version !== "number" ||
    typeof message.accountId !== "string" ||
    typeof message.state !== "object"
  ) {
    throw new Error(`unreadable account state message: ${text.slice(0, 200)}`);
  }
  return message as RuntimeMessage;
}
