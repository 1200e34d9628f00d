import { describe, expect, it } from "vitest";
import type { AccountMark } from "../routing/failover-policy.js";
import { mergeMark, runtimeState, type StoredAccountState } from "./account-state.js";

const NOW = 1_800_000_000_000;

const rows: Array<{ name: string; state: StoredAccountState; mark: AccountMark; expect: StoredAccountState }> = [
  { name: "none on nothing", state: {}, mark: { kind: "none" }, expect: {} },
  {
    name: "rate limited",
    state: {},
    mark: { kind: "rate_limited", until: NOW + 5 },
    expect: { rateLimitedUntil: NOW + 5 },
  },
  {
    name: "a later rate limit extends",
    state: { rateLimitedUntil: NOW + 5 },
    mark: { kind: "rate_limited", until: NOW + 9 },
    expect: { rateLimitedUntil: NOW + 9 },
  },
  {
    name: "an earlier rate limit never shortens",
    state: { rateLimitedUntil: NOW + 9 },
    mark: { kind: "rate_limited", until: NOW + 5 },
    expect: { rateLimitedUntil: NOW + 9 },
  },
  {
    name: "overloaded keeps other fields",
    state: { rateLimitedUntil: NOW + 9, errorMessage: "upstream 401" },
    mark: { kind: "overloaded", until: NOW + 3 },
    expect: { rateLimitedUntil: NOW + 9, overloadedUntil: NOW + 3, errorMessage: "upstream 401" },
  },
  {
    name: "temp unschedulable carries its reason",
    state: {},
    mark: { kind: "temp_unschedulable", until: NOW + 5, reason: "empty stream" },
    expect: { tempUnschedulableUntil: NOW + 5, tempUnschedulableReason: "empty stream" },
  },
  {
    name: "an earlier temp unschedulable keeps the later end and its reason",
    state: { tempUnschedulableUntil: NOW + 9, tempUnschedulableReason: "empty stream" },
    mark: { kind: "temp_unschedulable", until: NOW + 5, reason: "invalid project resource name" },
    expect: { tempUnschedulableUntil: NOW + 9, tempUnschedulableReason: "empty stream" },
  },
  {
    name: "an error replaces the previous message",
    state: { errorMessage: "upstream 401" },
    mark: { kind: "error", reason: "upstream 403: forbidden" },
    expect: { errorMessage: "upstream 403: forbidden" },
  },
  {
    name: "ended cooldowns are pruned on any change, the error stays",
    state: {
      rateLimitedUntil: NOW - 1,
      overloadedUntil: NOW,
      tempUnschedulableUntil: NOW - 5,
      tempUnschedulableReason: "empty stream",
      errorMessage: "upstream 401",
    },
    mark: { kind: "none" },
    expect: { errorMessage: "upstream 401" },
  },
  { name: "a mark that already ended sets nothing", state: {}, mark: { kind: "overloaded", until: NOW }, expect: {} },
];

describe("mergeMark", () => {
  it.each(rows)("$name", (row) => {
    expect(mergeMark(row.state, row.mark, NOW)).toEqual(row.expect);
  });

  it("leaves the state it was given alone", () => {
    const state: StoredAccountState = { rateLimitedUntil: NOW + 1 };
    mergeMark(state, { kind: "overloaded", until: NOW + 2 }, NOW);
    expect(state).toEqual({ rateLimitedUntil: NOW + 1 });
  });
});

describe("runtimeState", () => {
  it.each([
    { name: "nothing known", state: undefined, load: undefined, expect: undefined },
    {
      name: "load only",
      state: undefined,
      load: { inFlight: 2, lastUsedAt: 7 },
      expect: { inFlight: 2, lastUsedAt: 7 },
    },
    {
      name: "an error message means in error",
      state: { errorMessage: "upstream 401" },
      load: undefined,
      expect: { errorMessage: "upstream 401", inError: true },
    },
    {
      name: "state and load together",
      state: { overloadedUntil: NOW },
      load: { inFlight: 1, lastUsedAt: 3 },
      expect: { overloadedUntil: NOW, inFlight: 1, lastUsedAt: 3 },
    },
  ])("$name", (row) => {
    expect(runtimeState(row.state, row.load)).toEqual(row.expect);
  });
});
