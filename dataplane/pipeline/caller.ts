import type { Logger } from "pino";
import type { Group } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigView } from "../config/config-view.js";
import { GatewayError } from "../errors.js";
import { type ClaudeCodeDetection, detectClaudeCode } from "../policy/claude-code.js";
import { chooseGroup } from "../policy/group-choice.js";
import type { RequestView, Surface } from "../policy/request-view.js";
import { type Authorized, authorize } from "./authorize.js";

// Who is calling and which group serves them: the key and its policy (DESIGN §5.2-3), then the
// Claude-Code-only group rule (§5.4). Shared by every key-authenticated endpoint.

export interface Caller extends Authorized {
  /** The group that serves the request: the key's, or a fallback of a Claude-Code-only group. */
  serving: Group;
}

export function identifyCaller(
  config: ConfigView,
  view: RequestView,
  surface: Surface,
  clientIp: string,
  now: number,
  log: Logger,
  requestId: string,
): Caller | GatewayError {
  const auth = authorize(config, view, surface, clientIp, now);
  if (auth instanceof GatewayError) return auth;
  let claudeCode: ClaudeCodeDetection | undefined;
  const chosen = chooseGroup(auth.group, config.groups, () => {
    claudeCode ??= detectClaudeCode(view);
    return claudeCode;
  });
  if (claudeCode) {
    // Every Claude-Code-only decision is logged with its markers, so a refused real client is diagnosable.
    log.info(
      { requestId, keyGroup: auth.group.id, group: chosen.ok ? chosen.group.id : undefined, claudeCode },
      chosen.ok ? "claude-code-only group decision" : "claude-code-only group refused the client",
    );
  }
  if (!chosen.ok) return new GatewayError(chosen.code, chosen.message);
  return { key: auth.key, user: auth.user, group: auth.group, serving: chosen.group };
}
