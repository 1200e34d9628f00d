import type { RoutingStore, SlotLease } from "../store/routing-store.js";

// Slots are leases that lapse unless renewed (a crashed data plane frees its slots). Every held lease
// of this data plane is renewed together, in one store round trip, a few times per lease period, so
// a long stream keeps its slot however long it runs.
export class LeaseKeeper {
  private readonly held = new Set<SlotLease>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: RoutingStore,
    onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(
      () => {
        if (this.held.size > 0) this.store.renew([...this.held]).catch(onError);
      },
      Math.max(1_000, Math.floor(store.slotLeaseMs / 3)),
    );
    this.timer.unref();
  }

  hold(lease: SlotLease): void {
    this.held.add(lease);
  }

  /** Frees the slots (off the response's critical path: failures are only logged). */
  release(lease: SlotLease, onError: (error: unknown) => void): void {
    if (!this.held.delete(lease)) return;
    try {
      this.store.release(lease)?.catch(onError);
    } catch (error) {
      onError(error);
    }
  }

  get size(): number {
    return this.held.size;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
