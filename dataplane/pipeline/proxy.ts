import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { newId } from "../../common/ids.js";
import { AccountStatus } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { Account, GetKeyUsageResponse, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import { GatewayError } from "../errors.js";
import type { RequestView, Surface } from "../policy/request-view.js";
import type { ClientRequest, Protocol } from "../protocols/protocol.js";
import { readBody } from "../server/read-body.js";
import { responseHeaders } from "../upstream/forward-headers.js";
import type { UpstreamClient } from "../upstream/upstream-client.js";
import { BodyObserver } from "./body-observer.js";
import { identifyCaller } from "./caller.js";
import { relay } from "./relay.js";
import { sendError } from "./respond.js";
import { usageRecord } from "./usage-record.js";

// One proxied request, in the order of DESIGN §5: body, key and policy, account, forward, relay,
// usage. Each step is a module of its own; this function only sequences them.

export interface ProxyDeps {
  config: ConfigHolder;
  /** The calling key's usage aggregates, from the control plane (GET /v1/usage only). */
  keyUsage(apiKeyId: string): Promise<GetKeyUsageResponse>;
  upstream: UpstreamClient;
  reportUsage(record: UsageRecord): void;
  maxBodyBytes: number;
  clientIp(req: IncomingMessage): string;
  log: Logger;
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

// A provider error body is read (to pass it on or decide on it) up to this size.
const ERROR_BODY_LIMIT = 64 * 1024;

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

  const account = pickAccount(config.accountsByGroup.get(group.id) ?? [], group.platform, parsed.model);
  if (!account) {
    return sendError(
      res,
      protocol,
      new GatewayError("NO_AVAILABLE_ACCOUNT", "no account available to serve this request"),
    );
  }

  const call = deps.upstream.start(protocol.upstreamRequest(request, parsed, account));
  const abortOnClose = () => call.abort(new Error("client disconnected"));
  res.once("close", abortOnClose);

  let head: Awaited<typeof call.head>;
  try {
    head = await call.head;
  } catch (error) {
    res.off("close", abortOnClose);
    deps.log.warn({ requestId, accountId: account.id, err: (error as Error).message }, "upstream unreachable");
    return sendError(res, protocol, new GatewayError("UPSTREAM_ERROR", "upstream unreachable"));
  }
  res.off("close", abortOnClose);

  if (head.status >= 400) {
    const errorBody = await call.collect(ERROR_BODY_LIMIT).catch(() => Buffer.alloc(0));
    deps.log.warn({ requestId, accountId: account.id, status: head.status }, "upstream error");
    return passUpstreamError(res, protocol, head.status, errorBody);
  }

  res.writeHead(head.status, responseHeaders(head.headers, !parsed.stream));
  const observer = parsed.stream ? protocol.createStreamObserver(() => performance.now()) : new BodyObserver(protocol);
  const outcome = await relay(call, res, observer, protocol, parsed.stream);
  if (outcome !== "completed") deps.log.info({ requestId, accountId: account.id, outcome }, "stream ended early");

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
      usage: observer.usage,
      requestBytes: rawBody.length,
      stream: parsed.stream,
      statusCode: head.status,
      startedAt,
      endedAt: performance.now(),
      firstTokenAt: parsed.stream ? observer.firstTokenAt : undefined,
      receivedAtMs,
      clientIp,
      userAgent: req.headers["user-agent"] ?? "",
    }),
  );
}

/** Foundation routing: the first eligible account by priority (sticky sessions and failover come with routing). */
function pickAccount(accounts: readonly Account[], platform: Platform, model: string): Account | undefined {
  return accounts.find(
    (a) =>
      a.platform === platform &&
      a.status === AccountStatus.ACTIVE &&
      a.schedulable &&
      (a.models.length === 0 || a.models.includes(model)),
  );
}

// Failures the account caused are not the client's to see in detail (DESIGN §5.9 maps them); the
// client's own mistakes (400, 404, 413, 422) pass through in the provider's envelope.
function passUpstreamError(res: ServerResponse, protocol: Protocol, status: number, body: Buffer): void {
  const mapped = mapAccountFailure(status);
  if (mapped) {
    sendError(res, protocol, mapped);
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

function mapAccountFailure(status: number): GatewayError | undefined {
  if (status === 429) return new GatewayError("UPSTREAM_RATE_LIMITED", "upstream rate limited");
  if (status === 529) return new GatewayError("UPSTREAM_OVERLOADED", "upstream overloaded");
  if (status === 401 || status === 403 || status >= 500) {
    return new GatewayError("UPSTREAM_ERROR", `upstream failed with status ${status}`);
  }
  return undefined;
}
