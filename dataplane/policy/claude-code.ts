import { claudeCodeUserIdOf, isUuid } from "./claude-code-user-id.js";
import { isRecord, type RequestView } from "./request-view.js";

// Claude Code detection for `claude_code_only` groups (DESIGN §5.4, CLIENTS.md). The anchors refuse
// real Claude Code whenever one marker changes shape between releases (their most reported bug), so
// no single body marker is required; a plain SDK call with headers copied in is still not enough.
//
// Threshold, on /v1/messages:
//   1. User-Agent `claude-cli/x.y.z` is required: every Claude Code request carries it.
//   2. At least one body marker (the billing-header or identity system block, or metadata.user_id in
//      one of Claude Code's shapes): headers can be pasted into any SDK's defaultHeaders, while these
//      come from Claude Code's own prompt assembly.
//   3. At least 3 of the 5 markers besides the User-Agent (x-app, the claude-code beta, the session
//      header, the system block, the metadata): every capture has all 5, so a future release may
//      drop or reshape two of them and still pass.
// count_tokens, models and the 1-token haiku probe carry no prompt: the User-Agent alone passes.

export type ClaudeCodeMarker =
  | "user_agent"
  | "x_app"
  | "beta"
  | "session_header"
  | "system_prompt"
  | "metadata_user_id"
  | "non_message_path"
  | "haiku_probe";

/** The check that refused a request: named in the 403 CLAUDE_CODE_ONLY message and in logs. */
export type ClaudeCodeCheck = "user_agent" | "request_body" | "marker_count";

export interface ClaudeCodeDetection {
  isClaudeCode: boolean;
  /** The markers found, for the decision log. */
  reasons: ClaudeCodeMarker[];
  failed?: ClaudeCodeCheck;
}

const USER_AGENT = /^claude-cli\/\d+\.\d+\.\d+/;
const CLAUDE_CODE_BETA = "claude-code-20250219";
/** Claude Code's first system block; its cc_version suffix changes on every request. */
export const BILLING_HEADER = "x-anthropic-billing-header:";
const IDENTITY_LINES = [
  "You are Claude Code, Anthropic's official CLI for Claude.",
  "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
];
// The markers sit in the first blocks (billing header, identity line, main prompt).
const SYSTEM_BLOCKS_SCANNED = 4;
const LIGHT_PATH = /(?:^|\/)v1\/(?:messages\/count_tokens|models(?:\/[^/]+)?)$/;
const MIN_MARKERS = 3;

function hasBeta(header: string | undefined): boolean {
  if (!header) return false;
  for (const beta of header.split(",")) if (beta.trim() === CLAUDE_CODE_BETA) return true;
  return false;
}

function isMarkerText(text: unknown): boolean {
  if (typeof text !== "string") return false;
  if (text.startsWith(BILLING_HEADER)) return true;
  for (const line of IDENTITY_LINES) if (text.startsWith(line)) return true;
  return false;
}

function hasSystemMarker(system: unknown): boolean {
  if (typeof system === "string") return isMarkerText(system);
  if (!Array.isArray(system)) return false;
  const end = Math.min(system.length, SYSTEM_BLOCKS_SCANNED);
  for (let i = 0; i < end; i++) {
    const block: unknown = system[i];
    if (isRecord(block) && isMarkerText(block.text)) return true;
  }
  return false;
}

function isHaikuProbe(body: unknown): boolean {
  return isRecord(body) && body.max_tokens === 1 && typeof body.model === "string" && body.model.includes("haiku");
}

function refused(reasons: ClaudeCodeMarker[], failed: ClaudeCodeCheck): ClaudeCodeDetection {
  return { isClaudeCode: false, reasons, failed };
}

export function detectClaudeCode(view: RequestView): ClaudeCodeDetection {
  const { headers, body } = view;
  if (!USER_AGENT.test(headers["user-agent"] ?? "")) return refused([], "user_agent");
  if (LIGHT_PATH.test(view.path)) return { isClaudeCode: true, reasons: ["user_agent", "non_message_path"] };
  if (isHaikuProbe(body)) return { isClaudeCode: true, reasons: ["user_agent", "haiku_probe"] };

  const reasons: ClaudeCodeMarker[] = ["user_agent"];
  if (headers["x-app"] === "cli") reasons.push("x_app");
  if (hasBeta(headers["anthropic-beta"])) reasons.push("beta");
  if (isUuid(headers["x-claude-code-session-id"])) reasons.push("session_header");
  const system = isRecord(body) && hasSystemMarker(body.system);
  if (system) reasons.push("system_prompt");
  const metadata = claudeCodeUserIdOf(body) !== undefined;
  if (metadata) reasons.push("metadata_user_id");

  if (!system && !metadata) return refused(reasons, "request_body");
  const markersBesidesUserAgent = reasons.length - 1;
  if (markersBesidesUserAgent < MIN_MARKERS) return refused(reasons, "marker_count");
  return { isClaudeCode: true, reasons };
}
