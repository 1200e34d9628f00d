import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AccountStatus } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type Account, AccountSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { type AccountChoiceState, type AccountRuntime, chooseAccount } from "./account-choice.js";

const NOW = 1_800_000_000_000;

type AccountFields = Partial<Omit<Account, "$typeName" | "$unknown">>;

// Generated plane messages go in as they are.
function account(id: string, fields: AccountFields = {}): Account {
  return create(AccountSchema, {
    id,
    platform: Platform.ANTHROPIC,
    groupIds: ["g1"],
    priority: 1,
    concurrency: 0,
    schedulable: true,
    status: AccountStatus.ACTIVE,
    ...fields,
  });
}

interface Row {
  name: string;
  accounts: Account[];
  runtime?: Record<string, AccountRuntime>;
  state?: Partial<Omit<AccountChoiceState, "runtime">>;
  sticky?: string;
  expect: string[];
}

const rows: Row[] = [
  { name: "no candidates", accounts: [], expect: [] },
  { name: "one eligible account", accounts: [account("a")], expect: ["a"] },
  // eligibility
  { name: "not schedulable", accounts: [account("a", { schedulable: false }), account("b")], expect: ["b"] },
  { name: "disabled", accounts: [account("a", { status: AccountStatus.DISABLED }), account("b")], expect: ["b"] },
  { name: "status error", accounts: [account("a", { status: AccountStatus.ERROR }), account("b")], expect: ["b"] },
  { name: "no status fails closed", accounts: [account("a", { status: AccountStatus.UNSPECIFIED })], expect: [] },
  { name: "other platform", accounts: [account("a", { platform: Platform.OPENAI }), account("b")], expect: ["b"] },
  {
    name: "other group",
    accounts: [account("a", { groupIds: ["g2"] }), account("b", { groupIds: ["g2", "g1"] })],
    expect: ["b"],
  },
  {
    name: "model filter: empty list serves all, others must name it",
    accounts: [
      account("a", { models: ["claude-haiku-4-5"] }),
      account("b", { models: ["claude-opus-4-8"] }),
      account("c"),
    ],
    expect: ["b", "c"],
  },
  {
    name: "no model in the request: no model filter",
    accounts: [account("a", { models: ["claude-haiku-4-5"] }), account("b")],
    state: { model: "" },
    expect: ["a", "b"],
  },
  { name: "already tried", accounts: [account("a"), account("b")], state: { tried: new Set(["a"]) }, expect: ["b"] },
  {
    name: "rate limited",
    accounts: [account("a"), account("b")],
    runtime: { a: { rateLimitedUntil: NOW + 1 } },
    expect: ["b"],
  },
  {
    name: "overloaded",
    accounts: [account("a"), account("b")],
    runtime: { a: { overloadedUntil: NOW + 1 } },
    expect: ["b"],
  },
  {
    name: "temp unschedulable",
    accounts: [account("a"), account("b")],
    runtime: { a: { tempUnschedulableUntil: NOW + 1 } },
    expect: ["b"],
  },
  { name: "in error", accounts: [account("a"), account("b")], runtime: { a: { inError: true } }, expect: ["b"] },
  {
    name: "cooldowns that ended count for nothing",
    accounts: [account("a")],
    runtime: { a: { rateLimitedUntil: NOW, overloadedUntil: NOW - 1, tempUnschedulableUntil: 0 } },
    expect: ["a"],
  },
  // order
  {
    name: "lowest priority number first",
    accounts: [account("a", { priority: 5 }), account("b", { priority: 2 })],
    expect: ["b", "a"],
  },
  {
    name: "then lowest load",
    accounts: [account("a", { concurrency: 4 }), account("b", { concurrency: 10 })],
    runtime: { a: { inFlight: 2 }, b: { inFlight: 3 } },
    expect: ["b", "a"],
  },
  {
    name: "unlimited concurrency counts as no load",
    accounts: [account("a", { concurrency: 10 }), account("b", { concurrency: 0 })],
    runtime: { a: { inFlight: 1 }, b: { inFlight: 50 } },
    expect: ["b", "a"],
  },
  {
    name: "a full account is kept, last",
    accounts: [account("a", { concurrency: 2 }), account("b", { concurrency: 2 })],
    runtime: { a: { inFlight: 2 }, b: { inFlight: 1 } },
    expect: ["b", "a"],
  },
  {
    name: "priority beats load",
    accounts: [account("a", { priority: 1, concurrency: 2 }), account("b", { priority: 2 })],
    runtime: { a: { inFlight: 2 } },
    expect: ["a", "b"],
  },
  {
    name: "then least recently used",
    accounts: [account("a"), account("b"), account("c")],
    runtime: { a: { lastUsedAt: NOW - 10 }, b: { lastUsedAt: NOW - 1000 } },
    expect: ["c", "b", "a"],
  },
  { name: "then the id", accounts: [account("b"), account("c"), account("a")], expect: ["a", "b", "c"] },
  // sticky
  { name: "sticky first", accounts: [account("a"), account("b", { priority: 9 })], sticky: "b", expect: ["b", "a"] },
  {
    name: "sticky first even when busier",
    accounts: [account("a", { concurrency: 4 }), account("b", { concurrency: 4 })],
    runtime: { b: { inFlight: 3 } },
    sticky: "b",
    expect: ["b", "a"],
  },
  {
    name: "sticky rate limited: ordinary order",
    accounts: [account("a"), account("b")],
    runtime: { a: { rateLimitedUntil: NOW + 5 } },
    sticky: "a",
    expect: ["b"],
  },
  {
    name: "sticky removed from the group",
    accounts: [account("a", { groupIds: ["g2"] }), account("b")],
    sticky: "a",
    expect: ["b"],
  },
  {
    name: "sticky already tried",
    accounts: [account("a"), account("b")],
    state: { tried: new Set(["b"]) },
    sticky: "b",
    expect: ["a"],
  },
  { name: "sticky unknown", accounts: [account("a")], sticky: "zzz", expect: ["a"] },
];

describe("chooseAccount", () => {
  it.each(rows)("$name", (row) => {
    const state: AccountChoiceState = {
      groupId: "g1",
      platform: Platform.ANTHROPIC,
      model: "claude-opus-4-8",
      tried: new Set(),
      ...row.state,
      runtime: new Map(Object.entries(row.runtime ?? {})),
    };
    expect(chooseAccount(row.accounts, state, row.sticky, NOW).map((a) => a.id)).toEqual(row.expect);
  });

  it("does not reorder its input", () => {
    const accounts = [account("b"), account("a")];
    const state: AccountChoiceState = {
      groupId: "g1",
      platform: Platform.ANTHROPIC,
      model: "",
      tried: new Set(),
      runtime: new Map(),
    };
    chooseAccount(accounts, state, undefined, NOW);
    expect(accounts.map((a) => a.id)).toEqual(["b", "a"]);
  });
});
