import type { Account } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { GatewayError } from "../errors.js";
import { chooseAccount } from "../routing/account-choice.js";
import { decideFailover, finalStatus, type UpstreamFailure } from "../routing/failover-policy.js";
import type { SlotLease } from "../store/routing-store.js";
import type { Exchange } from "./admit.js";
import { type AttemptResult, attempt, type Completing } from "./attempt.js";
import type { ProxyDeps } from "./deps.js";

// DESIGN §5 steps 6-9: a slot on the sticky or best account, then attempts with failover until one
// is served or the policy gives up. Only what the client received is returned; every other outcome
// has been answered here.

export interface Served {
  account: Account;
  result: Extract<AttemptResult, { kind: "served" }>;
}

/** Per request: accounts failed on, switches made, the last failure (for the final status). */
interface FailoverState {
  tried: ReadonlySet<string>;
  switches: number;
  lastFailure: UpstreamFailure | undefined;
}

// Most requests never switch: they share one empty set instead of making their own.
const NONE_TRIED: ReadonlySet<string> = new Set();

/** Told, on the account that answers, just before the answer is complete (see relay.ts). */
export type AnswerCompleting = (account: Account, ...answer: Parameters<Completing>) => void;

export async function forward(
  deps: ProxyDeps,
  exchange: Exchange,
  completing: AnswerCompleting,
): Promise<Served | undefined> {
  const { group, parsed, client } = exchange;
  const state: FailoverState = { tried: NONE_TRIED, switches: 0, lastFailure: undefined };
  const config = deps.config.current;
  const groupAccounts = config.accountsByGroup.get(group.id) ?? [];
  const candidates = () =>
    chooseAccount(
      groupAccounts,
      { groupId: group.id, platform: group.platform, model: parsed.model, runtime: deps.runtime, tried: state.tried },
      undefined,
      Date.now(),
    );
  const slotRequest = {
    requestId: exchange.requestId,
    groupId: group.id,
    sessionKeys: exchange.sessionKeys,
    accountsVersion: config.accountsVersion,
    userId: exchange.caller.user.record.id,
    userConcurrency: exchange.caller.user.record.concurrency,
    stream: parsed.stream,
  };

  for (;;) {
    const pending = deps.slots.acquire(slotRequest, candidates, client);
    const slot = pending instanceof Promise ? await pending : pending;
    switch (slot.kind) {
      case "client_gone":
        return undefined;
      case "limit": {
        const whose = slot.limit === "user" ? "your concurrent request limit" : "every account of this group";
        client.fail(
          new GatewayError("CONCURRENCY_LIMIT", `Too many concurrent requests: ${whose} is busy; retry shortly`),
        );
        return undefined;
      }
      case "unavailable":
        // Nothing was sent upstream and nothing is billed; the client may retry at once elsewhere.
        deps.warnRepeated(
          { requestId: exchange.requestId, err: String(slot.error) },
          "routing store unreachable; request refused",
        );
        client.fail(new GatewayError("SERVICE_UNAVAILABLE", "routing is unavailable right now; retry shortly"));
        return undefined;
      case "no_candidates": {
        const final = finalStatus(state.lastFailure);
        const why = state.lastFailure
          ? "every upstream account failed for this request"
          : "no account available to serve this request";
        client.fail(new GatewayError(final.code, why, final.status));
        return undefined;
      }
      case "acquired":
        break;
    }
    deps.leases.hold(slot.lease);
    try {
      const outcome = await onAccount(deps, exchange, slot.account, state, completing);
      if (outcome !== "switch") return outcome;
    } finally {
      release(deps, slot.lease);
    }
  }
}

/** Attempts on one account: served, answered (undefined), or "switch" to the next account. */
async function onAccount(
  deps: ProxyDeps,
  exchange: Exchange,
  chosen: Account,
  state: FailoverState,
  completing: AnswerCompleting,
): Promise<Served | undefined | "switch"> {
  const { request, parsed, client, group, route } = exchange;
  let retries = 0;
  let refreshed = false;
  let forceRefresh = false;
  for (;;) {
    const credentials = deps.credentialsFor(chosen, { forceRefresh });
    const account = credentials instanceof Promise ? await credentials : credentials;
    forceRefresh = false;
    const result = await attempt(
      deps.upstream,
      route.protocol.upstreamRequest(request, parsed, account),
      client,
      route.protocol,
      parsed,
      (status, observer, written) => completing(account, status, observer, written),
    );
    if (result.kind === "client_gone") return undefined;
    if (result.kind === "served") return { account, result };

    const { failure } = result;
    // An expired OAuth token is refreshed and tried once more on the same account before anything else.
    if (failure.kind === "http" && failure.status === 401 && account.refreshToken && !refreshed) {
      refreshed = forceRefresh = true;
      continue;
    }
    const decision = decideFailover(
      failure,
      { switches: state.switches, sameAccountRetries: retries, platform: group.platform },
      deps.failover,
      Date.now(),
    );
    deps.metrics.upstreamFailed(account.id, failure, decision);
    deps.log.warn(
      {
        requestId: exchange.requestId,
        accountId: account.id,
        failure: describe(failure),
        action: decision.action,
        retries,
        switches: state.switches,
      },
      "upstream attempt failed",
    );
    if (decision.action === "retry_same") {
      retries++;
      await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
      if (client.gone) return undefined;
      continue;
    }
    if (decision.mark.kind !== "none") deps.markAccount(account, decision.mark);
    state.lastFailure = failure;
    if (decision.action === "switch") {
      state.tried = new Set([...state.tried, account.id]);
      state.switches++;
      return "switch";
    }
    if (decision.reason === "client_error" && result.passThrough && !client.headersSent) {
      // The client's own mistake: the provider's answer, in the provider's envelope, as it came.
      const { status, contentType, body } = result.passThrough;
      client.res.writeHead(status, { "content-type": contentType, "content-length": body.length });
      client.res.end(body);
      return undefined;
    }
    const final = finalStatus(failure);
    client.fail(new GatewayError(final.code, "every upstream account failed for this request", final.status));
    return undefined;
  }
}

function release(deps: ProxyDeps, lease: SlotLease): void {
  deps.leases.release(lease, (error) => deps.warnRepeated({ err: String(error) }, "slot release failed"));
}

function describe(failure: UpstreamFailure): string {
  if (failure.kind === "http") return `status ${failure.status}`;
  if (failure.kind === "network") return `network: ${failure.message}`;
  return "empty stream";
}
