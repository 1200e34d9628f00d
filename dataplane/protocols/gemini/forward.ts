import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import type { Account } from "../../../gen/tollgate/plane/v1/plane_pb.js";
import { parseBaseUrl } from "../../upstream/base-url.js";
import { pickHeaders } from "../../upstream/forward-headers.js";
import type { UpstreamRequest } from "../../upstream/upstream-call.js";
import type { ClientRequest, ParsedRequest } from "../protocol.js";

// What a Gemini upstream needs besides the account's auth: the body's type and the client's
// identity (`x-goog-api-client` names the SDK and its version). Gemini CLI's per-install
// `x-gemini-api-privileged-user-id` stays here: it identifies the user's machine, and the upstream
// account is not theirs.
const FORWARDED = new Set(["content-type", "accept", "user-agent", "x-goog-api-client"]);

export function geminiUpstreamRequest(input: ClientRequest, _parsed: ParsedRequest, account: Account): UpstreamRequest {
  const { origin, pathPrefix } = parseBaseUrl(account.baseUrl);
  const headers = pickHeaders(input.headers, FORWARDED, []);
  headers["content-type"] = "application/json";
  // The gateway reads usage from the bytes, so they must arrive uncompressed.
  headers["accept-encoding"] = "identity";
  if (account.type === AccountType.OAUTH) headers.authorization = `Bearer ${account.accessToken}`;
  else headers["x-goog-api-key"] = account.apiKey;
  return {
    origin,
    path: `${pathPrefix}${input.upstreamPath}${withoutKey(input.search)}`,
    method: input.method,
    headers,
    body: input.rawBody,
  };
}

/** The client's query (`alt=sse` and the like) without `key`: the client's own key never goes upstream. */
export function withoutKey(search: string): string {
  if (search === "") return "";
  const query = new URLSearchParams(search);
  if (!query.has("key")) return search;
  query.delete("key");
  const rest = query.toString();
  return rest === "" ? "" : `?${rest}`;
}
