import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { newId } from "../../common/ids.js";
import type { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { Account, GetKeyUsageResponse, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import { GatewayError } from "../errors.js";
import type { RequestView, Surface } from "../policy/request-view.js";
import type { ClientRequest, Protocol } from "../protocols/protocol.js";
import { chooseAccount } from "../routing/account-choice.js";
import {
  type AccountMark,
  decideFailover,
  type FailoverConfig,
  finalStatus,
  type UpstreamFailure,
} from "../routing/failover-policy.js";
import { type SessionHasher, sessionIdentity } from "../routing/session-identity.js";
import { readBody } from "../server/read-body.js";
import type { RuntimeView } from "../store/routing-store.js";
import { sessionKeys } from "../store/session-keys.js";
import type { UpstreamClient } from "../upstream/upstream-client.js";
import { attempt } from "./attempt.js";
import { identifyCaller } from "./caller.js";
import { ClientResponse } from "./client-response.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import { sendError } from "./respond.js";
import type { SlotQueue } from "./slot-wait.js";
import { usageRecord } from "./usage-record.js";

// One proxied request, in the order of DESIGN §5: body (1), key and policy (2-3), group (4), session
// identity (5), sticky account and slots (6-7), forward with failover (8-9), relay (10), usage (11).
// Each step is a module of its own; this file only sequences them.

export interface ProxyDeps {
  config: ConfigHolder;
  /** The calling key's usage aggregates, from the control plane (GET /v1/usage only). */
  keyUsage(apiKeyId: string): Promise<GetKeyUsageResponse>;
  upstream: UpstreamClient;
  reportUsage(record: UsageRecord): void;
  maxBodyBytes: number;
  clientIp(req: IncomingMessage): string;
  log: Logger;
  hasher: SessionHasher;
  runtime: RuntimeView;
  slots: SlotQueue;
  leases: LeaseKeeper;
  failover: FailoverConfig;
  /** Records what the failover policy decided about an account, for every data plane and the admins. */
  markAccount(account: Account, mark: AccountMark): void;
  /** The account with usable credentials (an OAuth token refreshed first when it is about to expire). */
  credentialsFor(account: Account, options?: { forceRefresh?: boolean }): Promise<Account>;
}

export interface ProxyRoute {
  surface: Surface;
  protocol: Protocol;
  /** The provider path (a mirror prefix removed). */
  upstreamPath: string;
  /** The query string with its "?", or "". */
  search: string;
  /** Group platforms this surface serves. */
  platforms: readonly Platform[];
  /** False for requests that cost nothing upstream (count_tokens): no usage record. */
  billable: boolean;
}

// Conversations longer than this are matched on their most recent turns only.
const MAX_SESSION_KEYS = 64;

export async function proxy(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
): Promise<void> {
  const startedAt = performance.now();
  const receivedAtMs = Date.now();
  const requestId = newId(receivedAtMs);
  const { protocol } = route;
  res.setHeader("x-tollgate-request-id", requestId);

  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, deps.maxBodyBytes);
  } catch (error) {
    if (error instanceof GatewayError) {
      res.setHeader("connection", "close");
      return sendError(res, protocol, error);
    }
    res.destroy();
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString("utf8"));
  } catch (error) {
    return sendError(
      res,
      protocol,
      new GatewayError("INVALID_REQUEST", `malformed JSON body: ${(error as Error).message}`),
    );
  }

  const clientIp = deps.clientIp(req);
  const view: RequestView = {
    path: req.url?.split("?", 1)[0] ?? "/",
    query: new URLSearchParams(route.search),
    headers: req.headers as RequestView["headers"],
    body,
  };
  const config = deps.config.current;
  const caller = identifyCaller(config, view, route.surface, clientIp, receivedAtMs, deps.log, requestId);
  if (caller instanceof GatewayError) return sendError(res, protocol, caller);
  const group = caller.serving;
  const request: ClientRequest = {
    method: "POST",
    upstreamPath: route.upstreamPath,
    search: route.search,
    headers: req.headers,
    rawBody,
    body,
  };
  const parsed = protocol.parseRequest(request);
  if (parsed instanceof GatewayError) return sendError(res, protocol, parsed);
  if (!route.platforms.includes(group.platform)) {
    return sendError(
      res,
      protocol,
      new GatewayError("INVALID_REQUEST", `this API key's group does not serve the ${route.surface} API`),
    );
  }

  const identity = sessionIdentity(
    view,
    protocol.conversation,
    { clientIp, apiKeyId: caller.key.record.id },
    deps.hasher,
  );
  const client = new ClientResponse(res, protocol);
  const tried = new Set<string>();
  const groupAccounts = config.accountsByGroup.get(group.id) ?? [];
  const candidates = () =>
    chooseAccount(
      groupAccounts,
      { groupId: group.id, platform: group.platform, model: parsed.model, runtime: deps.runtime, tried },
      undefined,
      Date.now(),
    );
  const slotRequest = {
    requestId,
    groupId: group.id,
    sessionKeys: sessionKeys(identity).slice(0, MAX_SESSION_KEYS),
    userId: caller.user.record.id,
    userConcurrency: caller.user.record.concurrency,
    stream: parsed.stream,
  };

  let lastFailure: UpstreamFailure | undefined;
  let switches = 0;
  for (;;) {
    const slot = await deps.slots.acquire(slotRequest, candidates, client);
    if (slot.kind === "client_gone") return;
    if (slot.kind === "limit") {
      const whose = slot.limit === "user" ? "your concurrent request limit" : "every account of this group";
      return client.fail(
        new GatewayError("CONCURRENCY_LIMIT", `Too many concurrent requests: ${whose} is busy; retry shortly`),
      );
    }
    if (slot.kind === "no_candidates") {
      const final = finalStatus(lastFailure);
      const message = lastFailure
        ? "every upstream account failed for this request"
        : "no account available to serve this request";
      return client.fail(new GatewayError(final.code, message, final.status));
    }
    deps.leases.hold(slot.lease);
    const onReleaseError = (error: unknown) => deps.log.warn({ err: String(error) }, "slot release failed");
    try {
      let retries = 0;
      let refreshed = false;
      let forceRefresh = false;
      for (;;) {
        const account = await deps.credentialsFor(slot.account, { forceRefresh });
        forceRefresh = false;
        const result = await attempt(
          deps.upstream,
          protocol.upstreamRequest(request, parsed, account),
          client,
          protocol,
          parsed,
        );
        if (result.kind === "client_gone") return;
        if (result.kind === "served") {
          if (result.outcome !== "completed")
            deps.log.info({ requestId, accountId: account.id, outcome: result.outcome }, "stream ended early");
          if (!route.billable) return;
          deps.reportUsage(
            usageRecord({
              requestId,
              apiKeyId: caller.key.record.id,
              userId: caller.user.record.id,
              accountId: account.id,
              groupId: group.id,
              model: parsed.model,
              platform: account.platform,
              usage: result.observer.usage,
              requestBytes: rawBody.length,
              stream: parsed.stream,
              statusCode: result.status,
              startedAt,
              endedAt: performance.now(),
              firstTokenAt: parsed.stream ? result.observer.firstTokenAt : undefined,
              receivedAtMs,
              clientIp,
              userAgent: req.headers["user-agent"] ?? "",
            }),
          );
          return;
        }
        const { failure } = result;
        // An expired OAuth token is refreshed and tried once more on the same account before anything else.
        if (failure.kind === "http" && failure.status === 401 && account.refreshToken && !refreshed) {
          refreshed = true;
          forceRefresh = true;
          continue;
        }
        const decision = decideFailover(
          failure,
          { switches, sameAccountRetries: retries, platform: group.platform },
          deps.failover,
          Date.now(),
        );
        deps.log.warn(
          { requestId, accountId: account.id, failure: describe(failure), action: decision.action, retries, switches },
          "upstream attempt failed",
        );
        if (decision.action === "retry_same") {
          retries++;
          await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
          if (client.gone) return;
          continue;
        }
        if (decision.mark.kind !== "none") deps.markAccount(account, decision.mark);
        lastFailure = failure;
        if (decision.action === "give_up") {
          if (decision.reason === "client_error" && result.passThrough && !client.headersSent) {
            // The client's own mistake: the provider's answer, in the provider's envelope, as it came.
            res.writeHead(result.passThrough.status, {
              "content-type": result.passThrough.contentType,
              "content-length": result.passThrough.body.length,
            });
            res.end(result.passThrough.body);
            return;
          }
          const final = finalStatus(failure);
          return client.fail(
            new GatewayError(final.code, "every upstream account failed for this request", final.status),
          );
        }
        tried.add(account.id);
        switches++;
        break;
      }
    } finally {
      deps.leases.release(slot.lease, onReleaseError);
    }
  }
}

function describe(failure: UpstreamFailure): string {
  if (failure.kind === "http") return `status ${failure.status}`;
  if (failure.kind === "network") return `network: ${failure.message}`;
  return "empty stream";
}
