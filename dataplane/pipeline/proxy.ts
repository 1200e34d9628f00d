import type { IncomingMessage } from "node:http";
import type { Account } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { costCeiling } from "../config/record-cost.js";
import { GatewayError } from "../errors.js";
import type { StreamObserver } from "../protocols/protocol.js";
import type { GatewayResponse } from "../server/gateway-response.js";
import { readBody } from "../server/read-body.js";
import { sessionKeys } from "../store/session-keys.js";
import type { SpendTicket } from "../sync/spend-guard.js";
import { admit, arrive, type Exchange, refuseBody } from "./admit.js";
import type { ProxyDeps, ProxyRoute } from "./deps.js";
import { forward, type Served } from "./forward.js";
import { sendError } from "./respond.js";
import { usageRecord } from "./usage-record.js";

// One proxied request, in the order of DESIGN §5: admission (body, key and policy, group, session:
// steps 1-5, admit.ts), the spend this data plane may still make, forwarding with slots and failover
// (6-10, forward.ts), usage (11). This file only sequences them.

/**
 * Never rejects: an unexpected failure is logged and answered as an internal error here, not by a
 * catch() on the returned promise (one promise more per request).
 */
export async function proxy(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: GatewayResponse,
  route: ProxyRoute,
): Promise<void> {
  try {
    const arrival = arrive(res);
    // Awaited here rather than inside admit: one async step less per request.
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, deps.maxBodyBytes);
    } catch (error) {
      return refuseBody(res, route, error);
    }
    const exchange = admit(deps, req, res, route, arrival, rawBody);
    if (!exchange) return;
    // Billable requests hold a share of the key's quota and the user's balance until billed, so this
    // data plane never overspends either by more than one request (sync/spend-admission.ts).
    const admitted = route.billable ? admitSpend(deps, exchange) : undefined;
    const ticket = admitted instanceof Promise ? await admitted : admitted;
    if (ticket instanceof GatewayError) return exchange.client.fail(ticket);
    try {
      const report = usageReport(deps, exchange);
      const served = await forward(deps, exchange, report);
      if (served) finishServed(deps, exchange, served, report);
    } finally {
      // After the usage is reported: its cost moves from in flight to pending with no gap.
      ticket?.release();
      if (ticket) deps.spend.finishShared(exchange.requestId);
    }
  } catch (error) {
    deps.log.error({ err: error, requestId: res.requestId }, "request failed unexpectedly");
    sendError(res, route.protocol, new GatewayError("INTERNAL_ERROR", "internal error"));
  }
}

/** At once, not as a promise, unless the key's quota is shared through Redis. */
function admitSpend(
  deps: ProxyDeps,
  exchange: Exchange,
): SpendTicket | GatewayError | Promise<SpendTicket | GatewayError> {
  const { caller, group, parsed, request } = exchange;
  const bodyBytes = request.rawBody?.length ?? 0;
  const ceiling = costCeiling(deps.config.current, group.id, parsed.model, bodyBytes, parsed.maxOutputTokens);
  const ticket = deps.spend.admit(caller.key, caller.user, ceiling);
  if (ticket instanceof GatewayError) return ticket;
  // A key with a quota is also checked against every data plane's unbilled spend (Redis only).
  const shared = deps.spend.reserveShared(caller.key, exchange.requestId, ceiling);
  if (!shared) return ticket;
  return shared.then((refused) => {
    if (!refused) return ticket;
    ticket.release();
    return refused;
  });
}

type Report = (account: Account, status: number, observer: StreamObserver, written?: () => void) => void;

/**
 * DESIGN §5 step 11: what the upstream reported, or an estimate flagged as such. Reported just before
 * the answer is complete (relay.ts), whose last bytes wait for `written`; or after the answer when it
 * ended any other way.
 */
function usageReport(deps: ProxyDeps, exchange: Exchange): Report {
  let reported = false;
  return (account, status, observer, written) => {
    if (!reported && exchange.route.billable) {
      reported = true;
      recordUsage(deps, exchange, account, status, observer);
    }
    if (written) deps.whenUsageWritten(written);
  };
}

function finishServed(deps: ProxyDeps, exchange: Exchange, { account, result }: Served, report: Report): void {
  report(account, result.status, result.observer);
  const continuation = result.observer.continuation;
  if (continuation) {
    // A later request naming this response (previous_response_id) finds the account that stored it.
    const [key] = sessionKeys({ kind: "explicit", id: continuation, source: "previous_response_id" });
    if (key) deps.bindSession(exchange.group.id, key, account.id);
  }
  if (result.outcome !== "completed") {
    deps.log.info(
      { requestId: exchange.requestId, accountId: account.id, outcome: result.outcome },
      "stream ended early",
    );
  }
}

/** Called from inside the relay: a failure here must not stop the answer from completing. */
function recordUsage(
  deps: ProxyDeps,
  exchange: Exchange,
  account: Account,
  status: number,
  observer: StreamObserver,
): void {
  try {
    deps.reportUsage(
      usageRecord({
        requestId: exchange.requestId,
        apiKeyId: exchange.caller.key.record.id,
        userId: exchange.caller.user.record.id,
        accountId: account.id,
        groupId: exchange.group.id,
        model: exchange.parsed.model,
        platform: account.platform,
        usage: observer.usage,
        requestBytes: exchange.request.rawBody?.length ?? 0,
        stream: exchange.parsed.stream,
        statusCode: status,
        startedAt: exchange.startedAt,
        endedAt: performance.now(),
        firstTokenAt: exchange.parsed.stream ? observer.firstTokenAt : undefined,
        receivedAtMs: exchange.receivedAtMs,
        clientIp: exchange.clientIp,
        userAgent: exchange.userAgent,
      }),
    );
  } catch (error) {
    deps.log.error({ requestId: exchange.requestId, err: String(error) }, "usage record failed; not billed");
  }
}
