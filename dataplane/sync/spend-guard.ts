import type { Atto } from "../../common/money.js";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import { recordCost } from "../config/record-cost.js";
import { GatewayError } from "../errors.js";
import { type CompiledKey, type CompiledUser, keyQuota } from "../policy/key-check.js";
import type { SharedQuota } from "../store/shared-quota.js";
import { type Admission, admitSpend, type Budget, countInFlight, type InFlight } from "./spend-admission.js";
import type { UsageListener } from "./usage-reporter.js";

// This data plane's spend that the config view does not show yet, per key (against its quota) and per
// user (against the balance), and the requests in flight against each; admitSpend decides. The usage
// reporter tells it when a record is spooled (its cost becomes pending) and when it is acked (billed:
// the control plane's quota_used and balance now hold it). With several data planes, keys with a quota
// are also checked against every data plane's unbilled spend (store/shared-quota.ts); an entry there
// outlives the ack by a grace period, until the billing has reached every data plane's config.

/** Held by an admitted request until it ends; release it after the request's usage was reported. */
export interface SpendTicket {
  release(): void;
}

interface Charge {
  keyId: string;
  userId: string;
  cost: Atto;
}

const NONE_IN_FLIGHT: InFlight = Object.freeze({ count: 0, unbounded: 0, ceilings: 0n });

/** Config changes reach every data plane in tens of milliseconds (npm run bench); this is ample. */
const SHARED_GRACE_MS = 2_000;

/** Pending spend and requests in flight, per key id or per user id. */
interface Ledger {
  pending: Map<string, Atto>;
  inFlight: Map<string, InFlight>;
}

export class SpendGuard implements UsageListener {
  // Keys and users apart, each by its own id: no "k:"/"u:" string built and hashed per request.
  private readonly keys: Ledger = { pending: new Map(), inFlight: new Map() };
  private readonly users: Ledger = { pending: new Map(), inFlight: new Map() };
  private readonly charges = new Map<string, Charge>();
  /** Requests with a shared reservation: request id -> key id. */
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly config: ConfigHolder,
    private readonly shared?: SharedQuota,
    private readonly onSharedError: (error: unknown) => void = () => {},
  ) {}

  /**
   * For a key with a quota when data planes share Redis: the check across all of them, which also
   * reserves the request's ceiling. Undefined when there is nothing to check (no await needed).
   */
  reserveShared(
    key: CompiledKey,
    requestId: string,
    ceiling: Atto | undefined,
  ): Promise<GatewayError | undefined> | undefined {
    if (!this.shared || key.quota === undefined) return undefined;
    const keyId = key.record.id;
    return this.shared.reserve(keyId, requestId, ceiling, key.quota - key.quotaUsed).then(
      (verdict) => {
        if (verdict === "admit") this.reserved.set(requestId, keyId);
        return keyRefusal(verdict);
      },
      (error: unknown) => {
        // Without Redis the local guard still holds this data plane to the quota.
        this.onSharedError(error);
        return undefined;
      },
    );
  }

  /** The request is over: a reservation whose request recorded no usage no longer counts. */
  finishShared(requestId: string): void {
    const keyId = this.reserved.get(requestId);
    if (keyId === undefined || this.charges.has(requestId)) return;
    this.reserved.delete(requestId);
    this.shared?.forget(keyId, requestId).catch(this.onSharedError);
  }

  /**
   * Before forwarding: a ticket, or the error to answer with. `ceiling` is the most the request can
   * cost (costCeiling), undefined when unbounded.
   */
  admit(key: CompiledKey, user: CompiledUser, ceiling: Atto | undefined): SpendTicket | GatewayError {
    const keyId = key.record.id;
    const userId = user.record.id;
    const forKey = keyRefusal(admitSpend(budget(this.keys, keyId, key.quota, key.quotaUsed), ceiling));
    if (forKey) return forKey;
    const forUser = admitSpend(budget(this.users, userId, user.balance, 0n), ceiling);
    if (forUser === "exhausted") return new GatewayError("INSUFFICIENT_BALANCE", "insufficient balance");
    if (forUser === "one_at_a_time") {
      return new GatewayError("CONCURRENCY_LIMIT", "the remaining balance allows one request at a time; retry shortly");
    }
    const held = [hold(this.keys, keyId, ceiling), hold(this.users, userId, ceiling)];
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const release of held) release();
      },
    };
  }

  spooled(record: UsageRecord): void {
    if (this.charges.has(record.requestId)) return;
    const charge = { keyId: record.apiKeyId, userId: record.userId, cost: recordCost(this.config.current, record) };
    this.charges.set(record.requestId, charge);
    add(this.keys, charge.keyId, charge.cost);
    add(this.users, charge.userId, charge.cost);
    if (this.reserved.has(record.requestId)) {
      this.shared?.settle(charge.keyId, record.requestId, charge.cost).catch(this.onSharedError);
    }
  }

  acked(requestIds: readonly string[]): void {
    // Per key with a quota, the billed requests' shared entries (also those replayed from the spool
    // after a restart, which this process never reserved): one call per key, and nothing left to run.
    // Key id -> its billed request ids; undefined for a key without a quota (decided once per key).
    const billed = new Map<string, string[] | undefined>();
    for (const requestId of requestIds) {
      const charge = this.charges.get(requestId);
      if (!charge) continue;
      this.charges.delete(requestId);
      this.reserved.delete(requestId);
      add(this.keys, charge.keyId, -charge.cost);
      add(this.users, charge.userId, -charge.cost);
      if (this.shared) {
        if (!billed.has(charge.keyId)) billed.set(charge.keyId, this.hasQuota(charge.keyId) ? [] : undefined);
        billed.get(charge.keyId)?.push(requestId);
      }
    }
    for (const [keyId, ids] of billed) {
      if (ids) this.shared?.billed(keyId, ids, SHARED_GRACE_MS).catch(this.onSharedError);
    }
  }

  private hasQuota(keyId: string): boolean {
    return keyQuota(this.config.current.keysById.get(keyId)?.quotaUsd ?? "") !== undefined;
  }
}

function budget(ledger: Ledger, id: string, limit: Atto | undefined, used: Atto): Budget {
  return { limit, used, pending: ledger.pending.get(id) ?? 0n, inFlight: ledger.inFlight.get(id) ?? NONE_IN_FLIGHT };
}

function hold(ledger: Ledger, id: string, ceiling: Atto | undefined): () => void {
  let totals = ledger.inFlight.get(id);
  if (!totals) {
    totals = { count: 0, unbounded: 0, ceilings: 0n };
    ledger.inFlight.set(id, totals);
  }
  countInFlight(totals, ceiling, 1);
  const held = totals;
  return () => {
    countInFlight(held, ceiling, -1);
    if (held.count === 0 && ledger.inFlight.get(id) === held) ledger.inFlight.delete(id);
  };
}

function add(ledger: Ledger, id: string, amount: Atto): void {
  const total = (ledger.pending.get(id) ?? 0n) + amount;
  if (total === 0n) ledger.pending.delete(id);
  else ledger.pending.set(id, total);
}

function keyRefusal(verdict: Admission): GatewayError | undefined {
  if (verdict === "exhausted") return new GatewayError("API_KEY_QUOTA_EXHAUSTED", "API key quota exhausted");
  if (verdict === "one_at_a_time") {
    return new GatewayError(
      "CONCURRENCY_LIMIT",
      "the key's remaining quota allows one request at a time; retry shortly",
    );
  }
  return undefined;
}
