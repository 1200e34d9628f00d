import { describe, expect, it } from "vitest";
import { GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import type { ClaudeCodeDetection } from "./claude-code.js";
import { chooseGroup, type GroupRecord } from "./group-choice.js";

const CLAUDE_CODE: ClaudeCodeDetection = { isClaudeCode: true, reasons: ["user_agent", "x_app"] };
const NOT_CLAUDE_CODE: ClaudeCodeDetection = { isClaudeCode: false, reasons: ["user_agent"], failed: "request_body" };

function group(id: string, claudeCodeOnly: boolean, fallbackGroupId = "", status = GroupStatus.ACTIVE): GroupRecord {
  return { id, claudeCodeOnly, fallbackGroupId, status };
}

const groups = new Map(
  [
    group("plain", false),
    group("cc", true),
    group("cc-to-plain", true, "plain"),
    group("cc-to-cc-to-plain", true, "cc-to-plain"),
    group("cc-to-missing", true, "gone"),
    group("cc-to-disabled", true, "disabled"),
    group("disabled", false, "", GroupStatus.DISABLED),
    group("loop-a", true, "loop-b"),
    group("loop-b", true, "loop-a"),
    group("self", true, "self"),
  ].map((g) => [g.id, g]),
);

describe("chooseGroup", () => {
  const table: Array<[string, ClaudeCodeDetection, string | RegExp, string[]]> = [
    ["plain", NOT_CLAUDE_CODE, "plain", []],
    ["cc", CLAUDE_CODE, "cc", []],
    ["cc-to-plain", CLAUDE_CODE, "cc-to-plain", []],
    ["cc", NOT_CLAUDE_CODE, /^This group only serves Claude Code clients \(failed check: request_body\)$/, []],
    ["cc-to-plain", NOT_CLAUDE_CODE, "plain", ["cc-to-plain"]],
    ["cc-to-cc-to-plain", NOT_CLAUDE_CODE, "plain", ["cc-to-cc-to-plain", "cc-to-plain"]],
    ["cc-to-missing", NOT_CLAUDE_CODE, /failed check: request_body\); the fallback group is unavailable/, []],
    ["cc-to-disabled", NOT_CLAUDE_CODE, /the fallback group is unavailable/, []],
    ["loop-a", NOT_CLAUDE_CODE, /failed check: request_body\); the fallback groups form a cycle/, []],
    ["self", NOT_CLAUDE_CODE, /the fallback groups form a cycle/, []],
  ];
  it.each(table)("key group %s, client %o -> %s", (start, detection, expected, passedOver) => {
    const choice = chooseGroup(groups.get(start) as GroupRecord, groups, () => detection);
    if (typeof expected === "string") {
      expect(choice.ok).toBe(true);
      if (choice.ok) {
        expect(choice.group.id).toBe(expected);
        expect(choice.passedOver).toEqual(passedOver);
      }
    } else {
      expect(choice.ok).toBe(false);
      if (!choice.ok) {
        expect(choice.code).toBe("CLAUDE_CODE_ONLY");
        expect(choice.message).toMatch(expected);
      }
    }
  });

  it("runs detection only for Claude-Code-only groups, and once", () => {
    let calls = 0;
    const detect = () => {
      calls++;
      return NOT_CLAUDE_CODE;
    };
    const plain = chooseGroup(groups.get("plain") as GroupRecord, groups, detect);
    expect(calls).toBe(0);
    expect(plain.ok && plain.claudeCode).toBe(undefined);
    const followed = chooseGroup(groups.get("cc-to-cc-to-plain") as GroupRecord, groups, detect);
    expect(calls).toBe(1);
    expect(followed.ok && followed.claudeCode).toBe(NOT_CLAUDE_CODE);
  });
});
