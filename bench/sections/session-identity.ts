import { parseJsonBody } from "../../dataplane/pipeline/json-body.js";
import type { RequestView } from "../../dataplane/policy/request-view.js";
import {
  conversationDigest,
  initSessionHasher,
  type SessionContext,
  sessionIdentity,
} from "../../dataplane/routing/session-identity.js";
import { loadCapturedRequest } from "../capture-body.js";
import { timePerCall } from "../stats.js";

// What session identity (DESIGN §5.5) costs per request on Claude Code's 76 KB body, in process: the
// explicit-id path Claude Code takes (its session header), and the digest chain a client without an
// id gets (every turn hashed). Parsing the same body is measured beside it for scale, as the data
// plane parses it (dataplane/pipeline/json-body.ts) and as JSON.parse of its UTF-8 text would.

export interface SessionIdentityResult {
  bodyBytes: number;
  turns: number;
  explicitUs: number;
  digestUs: number;
  jsonParseUs: number;
  /** The data plane's parse of the body (parseJsonBody). */
  bodyParseUs: number;
}

const CONTEXT: SessionContext = { clientIp: "127.0.0.1", apiKeyId: "key-bench" };

export async function runSessionIdentity(capturePath: string, quick: boolean): Promise<SessionIdentityResult> {
  const hasher = await initSessionHasher();
  const capture = loadCapturedRequest(capturePath);
  const raw = Buffer.from(JSON.stringify(capture.body));
  const view: RequestView = {
    path: "/v1/messages",
    query: new URLSearchParams("beta=true"),
    headers: capture.headers,
    body: JSON.parse(raw.toString("utf8")),
  };
  // The same request from a client that names no session: only the conversation identifies it.
  const { "x-claude-code-session-id": _id, ...anonymousHeaders } = capture.headers;
  const { metadata: _metadata, ...anonymousBody } = view.body as Record<string, unknown>;
  const anonymous: RequestView = { ...view, headers: anonymousHeaders, body: anonymousBody };

  const calls = quick ? 50 : 500;
  const rounds = quick ? 3 : 9;
  const explicit = sessionIdentity(view, "anthropic", CONTEXT, hasher);
  const digest = sessionIdentity(anonymous, "anthropic", CONTEXT, hasher);
  if (explicit.kind !== "explicit" || digest.kind !== "digest") {
    throw new Error(`session identity took unexpected paths: ${explicit.kind} and ${digest.kind}`);
  }
  return {
    bodyBytes: raw.length,
    turns: digest.chain.length - 1,
    explicitUs: timePerCall(() => sessionIdentity(view, "anthropic", CONTEXT, hasher), calls, rounds),
    digestUs: timePerCall(() => conversationDigest(anonymous, "anthropic", CONTEXT, hasher), calls, rounds),
    jsonParseUs: timePerCall(() => JSON.parse(raw.toString("utf8")), calls, rounds),
    bodyParseUs: timePerCall(() => parseJsonBody(raw), calls, rounds),
  };
}
