import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import type { Account } from "../../../gen/tollgate/plane/v1/plane_pb.js";
import { parseBaseUrl } from "../../upstream/base-url.js";
import { pickHeaders } from "../../upstream/forward-headers.js";
import type { UpstreamRequest } from "../../upstream/upstream-call.js";
import type { ClientRequest, ParsedRequest } from "../protocol.js";

// What an Anthropic upstream needs: the client's version and beta headers (unknown betas pass
// through), the Claude Code identity headers OAuth accounts depend on, and the account's own auth.
const FORWARDED = new Set([
  "anthropic-version",
  "anthropic-beta",
  "anthropic-dangerous-direct-browser-access",
  "content-type",
  "accept",
  "user-agent",
  "x-app",
  "x-claude-code-session-id",
]);
const FORWARDED_PREFIXES = ["x-stainless-"];
const DEFAULT_VERSION = "2023-06-01";
// Subscription (OAuth) tokens are accepted by the API only with this beta.
const OAUTH_BETA = "oauth-2025-04-20";

export function anthropicUpstreamRequest(
  input: ClientRequest,
  _parsed: ParsedRequest,
  account: Account,
): UpstreamRequest {
  const { origin, pathPrefix } = parseBaseUrl(account.baseUrl);
  const headers = pickHeaders(input.headers, FORWARDED, FORWARDED_PREFIXES);
  headers["anthropic-version"] ??= DEFAULT_VERSION;
  headers["content-type"] = "application/json";
  // The gateway reads usage from the bytes, so they must arrive uncompressed.
  headers["accept-encoding"] = "identity";
  if (account.type === AccountType.OAUTH) {
    headers.authorization = `Bearer ${account.accessToken}`;
    const beta = headers["anthropic-beta"];
    if (!beta?.split(",").some((b) => b.trim() === OAUTH_BETA)) {
      headers["anthropic-beta"] = beta ? `${OAUTH_BETA},${beta}` : OAUTH_BETA;
    }
  } else {
    headers["x-api-key"] = account.apiKey;
  }
  return {
    origin,
    path: `${pathPrefix}${input.upstreamPath}${input.search}`,
    method: input.method,
    headers,
    body: input.rawBody,
  };
}
