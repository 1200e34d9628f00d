import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import type { Account } from "../../../gen/tollgate/plane/v1/plane_pb.js";
import { parseBaseUrl } from "../../upstream/base-url.js";
import { pickHeaders } from "../../upstream/forward-headers.js";
import type { UpstreamRequest } from "../../upstream/upstream-call.js";
import { type ClientRequest, isObject, type ParsedRequest } from "../protocol.js";

// What an OpenAI upstream needs besides the account's own auth: the API feature opt-in
// (`openai-beta`) and the client's identity. Codex's session headers (`session-id`/`thread-id`, the
// older `session_id`/`conversation_id`, `x-client-request-id`, `x-codex-*`, `originator`) pass, so
// the upstream sees the conversation identity Codex would send it directly. `openai-organization` and
// `openai-project` do not: which organisation pays is the account's business, not the client's.
const FORWARDED = new Set([
  "content-type",
  "accept",
  "user-agent",
  "openai-beta",
  "originator",
  "session-id",
  "thread-id",
  "session_id",
  "conversation_id",
  "x-client-request-id",
]);
const FORWARDED_PREFIXES = ["x-codex-", "x-stainless-"];

const INCLUDE_USAGE = Buffer.from(',"stream_options":{"include_usage":true}');

function openaiUpstreamRequest(input: ClientRequest, account: Account, body: Buffer | undefined): UpstreamRequest {
  const { origin, pathPrefix } = parseBaseUrl(account.baseUrl);
  const headers = pickHeaders(input.headers, FORWARDED, FORWARDED_PREFIXES);
  headers["content-type"] = "application/json";
  // The gateway reads usage from the bytes, so they must arrive uncompressed.
  headers["accept-encoding"] = "identity";
  headers.authorization = `Bearer ${account.type === AccountType.OAUTH ? account.accessToken : account.apiKey}`;
  return { origin, path: `${pathPrefix}${input.upstreamPath}${input.search}`, method: input.method, headers, body };
}

export function responsesUpstreamRequest(
  input: ClientRequest,
  _parsed: ParsedRequest,
  account: Account,
): UpstreamRequest {
  return openaiUpstreamRequest(input, account, input.rawBody);
}

/** Streamed chat completions report usage only when asked: parseChatRequest made the body that asks. */
export function chatUpstreamRequest(input: ClientRequest, parsed: ParsedRequest, account: Account): UpstreamRequest {
  return openaiUpstreamRequest(input, account, parsed.upstreamBody ?? input.rawBody);
}

/**
 * The body with `stream_options.include_usage: true` (the gateway always asks, DESIGN §5.10). The usual case, no `stream_options` at all,
 * splices the field in before the closing brace, so the client's bytes are otherwise untouched (no
 * re-serialisation, which could round large integers). Only a `stream_options` the client sent
 * without include_usage makes the body re-serialised.
 *
 * The client then receives one chunk it may not have asked for: `choices: []` with the usage, just
 * before `[DONE]`. It is passed through rather than cut out: the API documents that chunk shape,
 * the official SDKs accept it (Azure OpenAI sends `choices: []` chunks unasked too), and cutting
 * it would mean rewriting the stream instead of relaying its bytes.
 */
export function withUsageRequested(rawBody: Buffer | undefined, body: unknown): Buffer | undefined {
  if (!rawBody || !isObject(body)) return rawBody;
  const options = body.stream_options;
  if (isObject(options) && options.include_usage === true) return rawBody;
  if (options === undefined) {
    const end = rawBody.lastIndexOf(0x7d); // the object's closing "}"
    return Buffer.concat([rawBody.subarray(0, end), INCLUDE_USAGE, rawBody.subarray(end)]);
  }
  return Buffer.from(
    JSON.stringify({ ...body, stream_options: { ...(isObject(options) ? options : {}), include_usage: true } }),
  );
}
