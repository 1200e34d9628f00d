import type { IncomingMessage, ServerResponse } from "node:http";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { formatDecimal, parseDecimal } from "../../common/money.js";
import type { GetKeyUsageResponse, KeyUsagePeriod } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { GatewayError } from "../errors.js";
import { queryOf, type RequestView } from "../policy/request-view.js";
import type { Protocol } from "../protocols/protocol.js";
import { authorize, findKey } from "./authorize.js";
import type { ProxyDeps } from "./deps.js";
import { sendError } from "./respond.js";

// GET /v1/usage (DESIGN §5): the calling key's own figures, for dashboards and client plugins. The
// aggregates come from the control plane (this is not the LLM request path); the key's status and
// limits from the pushed config.

export async function keyUsage(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  protocol: Pick<Protocol, "errorBody">,
): Promise<void> {
  const config = deps.config.current;
  const view: RequestView = {
    path: "/v1/usage",
    query: queryOf(""),
    headers: req.headers as RequestView["headers"],
    body: undefined,
  };
  const key = findKey(config, view, "openai");
  if (key instanceof GatewayError) return sendError(res, protocol, key);
  // A key that may not be used right now (expired, exhausted, disabled) still sees its usage, with
  // isValid false; a refused address sees nothing.
  const auth = authorize(config, view, "openai", deps.clientIp(req), Date.now());
  if (auth instanceof GatewayError && auth.code === "ACCESS_DENIED") return sendError(res, protocol, auth);

  let usage: GetKeyUsageResponse;
  try {
    usage = await deps.keyUsage(key.id);
  } catch (error) {
    deps.log.warn({ err: (error as Error).message }, "key usage unavailable");
    return sendError(res, protocol, new GatewayError("SERVICE_UNAVAILABLE", "usage is unavailable right now"));
  }
  const group = config.groups.get(key.groupId);
  const quota = parseDecimal(key.quotaUsd) ?? 0n;
  const balance = parseDecimal(usage.balanceUsd) ?? 0n;
  const used = parseDecimal(usage.quotaUsedUsd) ?? 0n;
  const body = JSON.stringify({
    isValid: !(auth instanceof GatewayError),
    planName: group?.name ?? "",
    remaining: formatDecimal(quota > 0n ? maxZero(quota - used) : balance),
    unit: "USD",
    balance: usage.balanceUsd,
    quota_usd: key.quotaUsd || "0",
    quota_used_usd: usage.quotaUsedUsd,
    expires_at: key.expiresAt ? timestampDate(key.expiresAt).toISOString() : null,
    usage: {
      today: period(usage.today),
      total: period(usage.total),
      average_duration_ms: Number(usage.averageDurationMs),
      rpm: usage.rpm,
      tpm: usage.tpm,
    },
  });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function maxZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}

function period(p: KeyUsagePeriod | undefined) {
  return {
    requests: Number(p?.requests ?? 0n),
    input_tokens: Number(p?.inputTokens ?? 0n),
    output_tokens: Number(p?.outputTokens ?? 0n),
    cache_creation_tokens: Number(p?.cacheCreationTokens ?? 0n),
    cache_read_tokens: Number(p?.cacheReadTokens ?? 0n),
    total_tokens: Number(p?.totalTokens ?? 0n),
    cost: p?.cost || "0",
    actual_cost: p?.actualCost || "0",
  };
}
