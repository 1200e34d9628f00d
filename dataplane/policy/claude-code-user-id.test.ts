import { describe, expect, it } from "vitest";
import { parseClaudeCodeUserId } from "./claude-code-user-id.js";

const DEVICE = "5d480813eab6098ec9a159b7a849d7f07090be36e5b9a3b46f8220d3dae8563f";
const SESSION = "940c45a1-fc32-4c4d-a03d-c0bc350d0178";
const ACCOUNT = "0b5e7c1a-1111-4222-8333-944455556666";

describe("parseClaudeCodeUserId", () => {
  const table: Array<[string, unknown, { sessionId: string; accountUuid: string; form: string } | undefined]> = [
    [
      "JSON form",
      JSON.stringify({ device_id: DEVICE, account_uuid: "", session_id: SESSION }),
      { sessionId: SESSION, accountUuid: "", form: "json" },
    ],
    [
      "JSON form with extra keys first",
      JSON.stringify({ org: "x", device_id: DEVICE, account_uuid: ACCOUNT, session_id: SESSION }),
      { sessionId: SESSION, accountUuid: ACCOUNT, form: "json" },
    ],
    [
      "JSON form without account_uuid",
      JSON.stringify({ device_id: DEVICE, session_id: SESSION }),
      { sessionId: SESSION, accountUuid: "", form: "json" },
    ],
    [
      "legacy form, empty account",
      `user_${DEVICE}_account__session_${SESSION}`,
      { sessionId: SESSION, accountUuid: "", form: "legacy" },
    ],
    [
      "legacy form with an account",
      `user_${DEVICE}_account_${ACCOUNT}_session_${SESSION}`,
      { sessionId: SESSION, accountUuid: ACCOUNT, form: "legacy" },
    ],
    ["JSON without session", JSON.stringify({ device_id: DEVICE, account_uuid: "" }), undefined],
    ["JSON with a short device id", JSON.stringify({ device_id: "abc", session_id: SESSION }), undefined],
    ["JSON with a non-uuid session", JSON.stringify({ device_id: DEVICE, session_id: "s-1" }), undefined],
    ["broken JSON", `{"device_id":"${DEVICE}"`, undefined],
    ["JSON array", "[1,2]", undefined],
    ["legacy with a short hex", `user_abc_account__session_${SESSION}`, undefined],
    ["legacy with trailing text", `user_${DEVICE}_account__session_${SESSION}x`, undefined],
    ["an SDK user id", "sdk-user", undefined],
    ["not a string", 42, undefined],
    ["absurdly long", `${JSON.stringify({ device_id: DEVICE, session_id: SESSION })}${" ".repeat(2000)}`, undefined],
  ];
  it.each(table)("%s", (_name, value, expected) => {
    const parsed = parseClaudeCodeUserId(value);
    if (expected === undefined) expect(parsed).toBeUndefined();
    else expect(parsed).toEqual({ deviceId: DEVICE, ...expected });
  });
});
