import type { IncomingMessage, ServerResponse } from "node:http";
import { admit } from "./admit.js";
import type { ProxyDeps, ProxyRoute } from "./deps.js";
import { forward } from "./forward.js";
import { usageRecord } from "./usage-record.js";

// One proxied request, in the order of DESIGN §5: admission (body, key and policy, group, session:
// steps 1-5, admit.ts), forwarding with slots and failover (6-10, forward.ts), usage (11). This file
// only sequences them.

export async function proxy(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
): Promise<void> {
  const exchange = await admit(deps, req, res, route);
  if (!exchange) return;
  const served = await forward(deps, exchange);
  if (!served) return;
  const { account, result } = served;
  if (result.outcome !== "completed") {
    deps.log.info(
      { requestId: exchange.requestId, accountId: account.id, outcome: result.outcome },
      "stream ended early",
    );
  }
  if (!route.billable) return;
  // DESIGN §5 step 11: what the upstream reported, or an estimate flagged as such.
  deps.reportUsage(
    usageRecord({
      requestId: exchange.requestId,
      apiKeyId: exchange.caller.key.record.id,
      userId: exchange.caller.user.record.id,
      accountId: account.id,
      groupId: exchange.group.id,
      model: exchange.parsed.model,
      platform: account.platform,
      usage: result.observer.usage,
      requestBytes: exchange.request.rawBody?.length ?? 0,
      stream: exchange.parsed.stream,
      statusCode: result.status,
      startedAt: exchange.startedAt,
      endedAt: performance.now(),
      firstTokenAt: exchange.parsed.stream ? result.observer.firstTokenAt : undefined,
      receivedAtMs: exchange.receivedAtMs,
      clientIp: exchange.clientIp,
      userAgent: exchange.userAgent,
    }),
  );
}
