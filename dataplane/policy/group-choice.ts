import { GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import type { ClaudeCodeDetection } from "./claude-code.js";
import { type PolicyRefusal, refuse } from "./policy-decision.js";

// DESIGN §5.4: a `claude_code_only` group serves only Claude Code; other clients follow its
// fallback_group_id (which may itself be Claude-Code-only, and so on) or are refused naming the check
// that failed. The control plane refuses fallback cycles; they are still detected here so a bad
// config can never loop a request.

/** The generated plane `Group`, taken structurally. */
export interface GroupRecord {
  readonly id: string;
  readonly status: GroupStatus;
  readonly claudeCodeOnly: boolean;
  /** Empty = none. */
  readonly fallbackGroupId: string;
}

export interface GroupChosen<G extends GroupRecord> {
  readonly ok: true;
  readonly group: G;
  /** Ids of the Claude-Code-only groups passed over to reach `group` (empty when the key's own group serves). */
  readonly passedOver: readonly string[];
  /** Set when detection ran (a Claude-Code-only group was involved), for the decision log. */
  readonly claudeCode: ClaudeCodeDetection | undefined;
}

export type GroupChoice<G extends GroupRecord> = GroupChosen<G> | PolicyRefusal;

function claudeCodeOnly(detection: ClaudeCodeDetection, why = ""): PolicyRefusal {
  return refuse(
    "CLAUDE_CODE_ONLY",
    `This group only serves Claude Code clients (failed check: ${detection.failed ?? "claude_code"})${why}`,
  );
}

/**
 * The group that serves the request, starting from the key's (already checked active). `detect` runs
 * at most once, and only when a Claude-Code-only group is met: most requests never pay for it.
 */
export function chooseGroup<G extends GroupRecord>(
  keyGroup: G,
  groups: { get(id: string): G | undefined },
  detect: () => ClaudeCodeDetection,
): GroupChoice<G> {
  if (!keyGroup.claudeCodeOnly) return { ok: true, group: keyGroup, passedOver: [], claudeCode: undefined };
  const detection = detect();
  const passedOver: string[] = [];
  let group = keyGroup;
  while (group.claudeCodeOnly && !detection.isClaudeCode) {
    passedOver.push(group.id);
    const nextId = group.fallbackGroupId;
    if (nextId === "") return claudeCodeOnly(detection);
    if (passedOver.includes(nextId)) return claudeCodeOnly(detection, "; the fallback groups form a cycle");
    const next = groups.get(nextId);
    if (!next || next.status !== GroupStatus.ACTIVE) {
      return claudeCodeOnly(detection, "; the fallback group is unavailable");
    }
    group = next;
  }
  return { ok: true, group, passedOver, claudeCode: detection };
}
