import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { AccountSchema, AccountStateSchema, AccountStatus } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { accountConditions, troubledAccounts } from "./account-health.js";

const now = new Date("2026-05-01T12:00:00Z");
const later = new Date("2026-05-01T12:05:00Z");
const earlier = new Date("2026-05-01T11:55:00Z");
const ts = (d: Date) => timestampFromDate(d);

const account = (
  id: string,
  status: AccountStatus,
  state: Parameters<typeof create<typeof AccountStateSchema>>[1] = {},
) => create(AccountSchema, { id, status, state: create(AccountStateSchema, state) });

describe("accountConditions", () => {
  it.each([
    ["healthy", account("a", AccountStatus.ACTIVE), []],
    [
      "lapsed states are ignored",
      account("a", AccountStatus.ACTIVE, {
        rateLimitedUntil: ts(earlier),
        overloadedUntil: ts(earlier),
        tempUnschedulableUntil: ts(earlier),
      }),
      [],
    ],
    [
      "rate limited",
      account("a", AccountStatus.ACTIVE, { rateLimitedUntil: ts(later) }),
      [{ kind: "rate_limited", until: later }],
    ],
    [
      "overloaded",
      account("a", AccountStatus.ACTIVE, { overloadedUntil: ts(later) }),
      [{ kind: "overloaded", until: later }],
    ],
    [
      "cooling down with its reason",
      account("a", AccountStatus.ACTIVE, { tempUnschedulableUntil: ts(later), reason: "empty stream" }),
      [{ kind: "cooling_down", until: later, reason: "empty stream" }],
    ],
    [
      "error with the last error",
      account("a", AccountStatus.ERROR, { lastError: "401 invalid x-api-key" }),
      [{ kind: "error", reason: "401 invalid x-api-key" }],
    ],
    ["disabled", account("a", AccountStatus.DISABLED), [{ kind: "disabled" }]],
  ])("%s", (_name, acc, expected) => {
    expect(accountConditions(acc, now)).toEqual(expected);
  });
});

describe("troubledAccounts", () => {
  it("lists only accounts that cannot serve for a runtime reason", () => {
    const list = [
      account("ok", AccountStatus.ACTIVE),
      account("off", AccountStatus.DISABLED),
      account("limited", AccountStatus.ACTIVE, { rateLimitedUntil: ts(later) }),
      account("broken", AccountStatus.ERROR),
    ];
    expect(troubledAccounts(list, now).map((t) => t.account.id)).toEqual(["limited", "broken"]);
  });
});
