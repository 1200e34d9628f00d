import type { IncomingMessage } from "node:http";
import { newId } from "../../common/ids.js";
import type { Group } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { GatewayError } from "../errors.js";
import { pathOf, queryOf, type RequestView } from "../policy/request-view.js";
import type { ClientRequest, ParsedRequest } from "../protocols/protocol.js";
import { sessionIdentity } from "../routing/session-identity.js";
import type { GatewayResponse } from "../server/gateway-response.js";
import { sessionKeys } from "../store/session-keys.js";
import { type Caller, identifyCaller } from "./caller.js";
import { ClientResponse } from "./client-response.js";
import type { ProxyDeps, ProxyRoute } from "./deps.js";
import { parseJsonBody } from "./json-body.js";
import { sendError } from "./respond.js";

// DESIGN §5 steps 1-5: the body (proxy reads it up to the size limit; refused here when it could not
// be read, or is not JSON), the key and its policy, the serving group, the protocol's own checks, and
// the session the request belongs to. What fails here is answered at once in the surface's envelope
// and never reaches an upstream.

/** A request admitted for forwarding, with everything the later steps need. */
export interface Exchange {
  requestId: string;
  startedAt: number;
  receivedAtMs: number;
  route: ProxyRoute;
  request: ClientRequest;
  parsed: ParsedRequest;
  caller: Caller;
  group: Group;
  clientIp: string;
  userAgent: string;
  /** The session's store keys, longest first. */
  sessionKeys: string[];
  client: ClientResponse;
}

// Conversations longer than this are matched on their most recent turns only.
const MAX_SESSION_KEYS = 64;

/** When the request arrived, and its id (on the response from now on, so every answer carries it). */
export interface Arrival {
  requestId: string;
  startedAt: number;
  receivedAtMs: number;
}

export function arrive(res: GatewayResponse): Arrival {
  const startedAt = performance.now();
  const receivedAtMs = Date.now();
  const requestId = newId(receivedAtMs);
  res.requestId = requestId;
  return { requestId, startedAt, receivedAtMs };
}

/** The body could not be read (readBody failed): refused in the surface's envelope, or dropped. */
export function refuseBody(res: GatewayResponse, route: ProxyRoute, error: unknown): undefined {
  if (!(error instanceof GatewayError)) {
    res.destroy();
    return undefined;
  }
  res.setHeader("connection", "close");
  return refuse(res, route, error);
}

/**
 * The admitted exchange, or undefined when the client has already been answered. Given the body
 * already read (proxy awaits it: one async step less per request than awaiting it here).
 */
export function admit(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: GatewayResponse,
  route: ProxyRoute,
  { requestId, startedAt, receivedAtMs }: Arrival,
  rawBody: Buffer,
): Exchange | undefined {
  const { protocol } = route;
  let body: unknown;
  try {
    body = parseJsonBody(rawBody);
  } catch (error) {
    return refuse(res, route, new GatewayError("INVALID_REQUEST", `malformed JSON body: ${(error as Error).message}`));
  }

  const clientIp = deps.clientIp(req);
  const view: RequestView = {
    path: pathOf(req.url),
    query: queryOf(route.search),
    headers: req.headers as RequestView["headers"],
    body,
  };
  const caller = identifyCaller(deps.config.current, view, route.surface, clientIp, receivedAtMs, deps.log, requestId);
  if (caller instanceof GatewayError) return refuse(res, route, caller);
  const group = caller.serving;
  deps.metrics.platform(res, group.platform);
  const request: ClientRequest = {
    method: "POST",
    upstreamPath: route.upstreamPath,
    search: route.search,
    headers: req.headers,
    rawBody,
  };
  const parsed = protocol.parseRequest(request, body);
  if (parsed instanceof GatewayError) return refuse(res, route, parsed);
  if (!route.platforms.includes(group.platform)) {
    const error = new GatewayError("INVALID_REQUEST", `this API key's group does not serve the ${route.surface} API`);
    return refuse(res, route, error);
  }

  const identity = sessionIdentity(
    view,
    protocol.conversation,
    { clientIp, apiKeyId: caller.key.record.id },
    deps.hasher,
  );
  return {
    requestId,
    startedAt,
    receivedAtMs,
    route,
    request,
    parsed,
    caller,
    group,
    clientIp,
    userAgent: req.headers["user-agent"] ?? "",
    sessionKeys: sessionKeys(identity).slice(0, MAX_SESSION_KEYS),
    client: new ClientResponse(res, protocol),
  };
}

function refuse(res: GatewayResponse, route: ProxyRoute, error: GatewayError): undefined {
  sendError(res, route.protocol, error);
  return undefined;
}
