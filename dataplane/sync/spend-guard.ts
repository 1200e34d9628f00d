import type { Atto } from "../../common/money.js";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import { recordCost } from "../config/record-cost.js";
import { GatewayError } from "../errors.js";
import type { CompiledKey, CompiledUser } from "../policy/key-check.js";
import { admitSpend, type Budget } from "./spend-admission.js";
import type { UsageListener } from "./usage-reporter.js";

// This data plane's spend that the config view does not show yet, per key (against its quota) and per
// user (against the balance), and the requests in flight against each; admitSpend decides. The usage
// reporter tells it when a record is spooled (its cost becomes pending) and when it is acked (billed:
// the control plane's quota_used and balance now hold it).

/** Held by an admitted request until it ends; release it after the request's usage was reported. */
export interface SpendTicket {
  release(): void;
}

interface InFlight {
  ceiling: Atto | undefined;
}

interface Charge {
  keyId: string;
  userId: string;
  cost: Atto;
}

export class SpendGuard implements UsageListener {
  private readonly pending = new Map<string, Atto>();
  private readonly charges = new Map<string, Charge>();
  private readonly inFlight = new Map<string, Set<InFlight>>();

  constructor(private readonly config: ConfigHolder) {}

  /**
   * Before forwarding: a ticket, or the error to answer with. `ceiling` is the most the request can
   * cost (costCeiling), undefined when unbounded.
   */
  admit(key: CompiledKey, user: CompiledUser, ceiling: Atto | undefined): SpendTicket | GatewayError {
    const keyBudget = `k:${key.record.id}`;
    const userBudget = `u:${user.record.id}`;
    const forKey = admitSpend(this.budget(keyBudget, key.quota, key.quotaUsed), ceiling);
    if (forKey === "exhausted") return new GatewayError("API_KEY_QUOTA_EXHAUSTED", "API key quota exhausted");
    if (forKey === "one_at_a_time") {
      return new GatewayError(
        "CONCURRENCY_LIMIT",
        "the key's remaining quota allows one request at a time; retry shortly",
      );
    }
    const forUser = admitSpend(this.budget(userBudget, user.balance, 0n), ceiling);
    if (forUser === "exhausted") return new GatewayError("INSUFFICIENT_BALANCE", "insufficient balance");
    if (forUser === "one_at_a_time") {
      return new GatewayError("CONCURRENCY_LIMIT", "the remaining balance allows one request at a time; retry shortly");
    }
    const slot: InFlight = { ceiling };
    const held = [this.hold(keyBudget, slot), this.hold(userBudget, slot)];
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
    this.add(`k:${charge.keyId}`, charge.cost);
    this.add(`u:${charge.userId}`, charge.cost);
  }

  acked(records: readonly UsageRecord[]): void {
    for (const record of records) {
      const charge = this.charges.get(record.requestId);
      if (!charge) continue;
      this.charges.delete(record.requestId);
      this.add(`k:${charge.keyId}`, -charge.cost);
      this.add(`u:${charge.userId}`, -charge.cost);
    }
  }

  private budget(id: string, limit: Atto | undefined, used: Atto): Budget {
    const inFlight = [...(this.inFlight.get(id) ?? [])].map((slot) => slot.ceiling);
    return { limit, used, pending: this.pending.get(id) ?? 0n, inFlight };
  }

  private hold(id: string, slot: InFlight): () => void {
    const slots = this.inFlight.get(id) ?? new Set<InFlight>();
    this.inFlight.set(id, slots);
    slots.add(slot);
    return () => {
      slots.delete(slot);
      if (slots.size === 0 && this.inFlight.get(id) === slots) this.inFlight.delete(id);
    };
  }

  private add(id: string, amount: Atto): void {
    const total = (this.pending.get(id) ?? 0n) + amount;
    if (total === 0n) this.pending.delete(id);
    else this.pending.set(id, total);
  }
}
