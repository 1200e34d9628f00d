import type { Account } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { AcquireCandidate, AcquireResult, RoutingStore, SlotLease } from "../store/routing-store.js";
import type { ClientResponse } from "./client-response.js";

// DESIGN §5.7: a request that finds every slot taken waits in a bounded queue, retrying when another
// request frees a slot (or on a short timer, since an expired lease announces nothing), until its
// timeout; then it gets 429 naming the limit. A stream that waits long gets its 200 and keep-alive
// pings meanwhile.

export interface QueueConfig {
  /** Requests of this data plane that may wait at once; more are refused at once. */
  maxWaiting: number;
  timeoutMs: number;
  /** A waiting stream gets its headers and a first ping after this long... */
  pingAfterMs: number;
  /** ...and then a ping this often. */
  pingIntervalMs: number;
  /** Retry even without a release notice this often (expired leases free slots silently). */
  retryMs: number;
}

export const DEFAULT_QUEUE_CONFIG: QueueConfig = {
  maxWaiting: 256,
  timeoutMs: 30_000,
  pingAfterMs: 5_000,
  pingIntervalMs: 10_000,
  retryMs: 250,
};

export interface SlotRequest {
  requestId: string;
  groupId: string;
  sessionKeys: readonly string[];
  accountsVersion: bigint;
  userId: string;
  userConcurrency: number;
  stream: boolean;
}

export type SlotOutcome =
  | { kind: "acquired"; lease: SlotLease; account: Account; sticky: boolean }
  /** No eligible candidate is left. */
  | { kind: "no_candidates" }
  | { kind: "limit"; limit: "user" | "account"; waited: boolean }
  /** The routing store could not answer (Redis unreachable). */
  | { kind: "unavailable"; error: unknown }
  | { kind: "client_gone" };

function outcomeOf(result: AcquireResult, accounts: readonly Account[]): SlotOutcome {
  if (!result.ok) return { kind: "limit", limit: result.limit, waited: false };
  const account = accounts.find((a) => a.id === result.lease.accountId) as Account;
  return { kind: "acquired", lease: result.lease, account, sticky: result.sticky };
}

export class SlotQueue {
  private waiting = 0;

  constructor(
    private readonly store: RoutingStore,
    private readonly config: QueueConfig,
  ) {}

  get depth(): number {
    return this.waiting;
  }

  /** Answered at once, not as a promise, when the store answered at once and nothing had to wait. */
  acquire(
    request: SlotRequest,
    candidates: () => readonly Account[],
    client: ClientResponse,
  ): SlotOutcome | Promise<SlotOutcome> {
    const first = this.tryOnce(request, candidates());
    return first instanceof Promise
      ? first.then((outcome) => this.queueOn(outcome, request, candidates, client))
      : this.queueOn(first, request, candidates, client);
  }

  private queueOn(
    first: SlotOutcome,
    request: SlotRequest,
    candidates: () => readonly Account[],
    client: ClientResponse,
  ): SlotOutcome | Promise<SlotOutcome> {
    if (first.kind !== "limit") return first;
    if (this.waiting >= this.config.maxWaiting) return first;
    this.waiting++;
    return this.wait(request, candidates, client).finally(() => {
      this.waiting--;
      client.stopKeepAlive();
    });
  }

  private tryOnce(request: SlotRequest, accounts: readonly Account[]): SlotOutcome | Promise<SlotOutcome> {
    if (accounts.length === 0) return { kind: "no_candidates" };
    let result: AcquireResult | Promise<AcquireResult>;
    try {
      result = this.store.acquire({
        requestId: request.requestId,
        groupId: request.groupId,
        sessionKeys: request.sessionKeys,
        accountsVersion: request.accountsVersion,
        userId: request.userId,
        userConcurrency: request.userConcurrency,
        candidates: accounts.map((a): AcquireCandidate => ({ id: a.id, concurrency: a.concurrency })),
      });
    } catch (error) {
      return { kind: "unavailable", error };
    }
    return result instanceof Promise
      ? result.then(
          (answer) => outcomeOf(answer, accounts),
          (error: unknown): SlotOutcome => ({ kind: "unavailable", error }),
        )
      : outcomeOf(result, accounts);
  }

  private async wait(
    request: SlotRequest,
    candidates: () => readonly Account[],
    client: ClientResponse,
  ): Promise<SlotOutcome> {
    const started = Date.now();
    const deadline = started + this.config.timeoutMs;
    let last: SlotOutcome = { kind: "limit", limit: "account", waited: true };
    while (Date.now() < deadline) {
      if (client.gone) return { kind: "client_gone" };
      if (request.stream && Date.now() - started >= this.config.pingAfterMs)
        client.startKeepAlive(this.config.pingIntervalMs);
      await this.nextChance(Math.min(this.config.retryMs, deadline - Date.now()), client);
      if (client.gone) return { kind: "client_gone" };
      last = await this.tryOnce(request, candidates());
      if (last.kind !== "limit") return last;
    }
    return last.kind === "limit" ? { ...last, waited: true } : last;
  }

  /** Resolves on the next freed slot anywhere, the client leaving, or after ms. */
  private nextChance(ms: number, client: ClientResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        client.whenClosed(undefined);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      const unsubscribe = this.store.onSlotFreed(done);
      client.whenClosed(done);
    });
  }
}
