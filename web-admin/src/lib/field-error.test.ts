import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { apiProblem, codeName, entryIndexOf, isProblemOf } from "./field-error.js";

describe("apiProblem", () => {
  it.each([
    [
      new ConnectError('ip_whitelist[1]: "10.0.0.0/33" has an invalid prefix length', Code.InvalidArgument),
      { code: "invalid_argument", field: "ip_whitelist[1]", text: '"10.0.0.0/33" has an invalid prefix length' },
    ],
    [
      new ConnectError("credentials.api_key: is required for API-key accounts", Code.InvalidArgument),
      { code: "invalid_argument", field: "credentials.api_key", text: "is required for API-key accounts" },
    ],
    [
      new ConnectError("filter.end_time: must be after start_time", Code.InvalidArgument),
      { code: "invalid_argument", field: "filter.end_time", text: "must be after start_time" },
    ],
    [
      new ConnectError("Invalid JSON: unexpected end", Code.InvalidArgument),
      { code: "invalid_argument", text: "Invalid JSON: unexpected end" },
    ],
    [
      new ConnectError("invalid admin token", Code.Unauthenticated),
      { code: "unauthenticated", text: "invalid admin token" },
    ],
    [
      new ConnectError('name: group "x" not found', Code.NotFound),
      { code: "not_found", text: 'name: group "x" not found' },
    ],
    [new Error("boom"), { code: "unknown", text: "boom" }],
    ["plain", { code: "unknown", text: "plain" }],
  ])("%#: reads the code, field and text", (error, expected) => {
    expect(apiProblem(error)).toEqual(expected);
  });
});

describe("codeName", () => {
  it.each([
    [Code.InvalidArgument, "invalid_argument"],
    [Code.Unauthenticated, "unauthenticated"],
    [Code.FailedPrecondition, "failed_precondition"],
    [Code.ResourceExhausted, "resource_exhausted"],
    [Code.Unavailable, "unavailable"],
  ])("%s -> %s", (code, name) => {
    expect(codeName(code)).toBe(name);
  });
});

describe("isProblemOf and entryIndexOf", () => {
  const problem = (field?: string) => ({ code: "invalid_argument", field, text: "bad" });
  it.each([
    ["ip_whitelist[2]", "ip_whitelist", true, 2],
    ["ip_whitelist[2]", "ip_blacklist", false, 2],
    ["ip_whitelist", "ip_whitelist", true, undefined],
    ["ip_whitelist_extra", "ip_whitelist", false, undefined],
    ["credentials.api_key", "credentials", true, undefined],
    ["credentials.api_key", "credentials.api_key", true, undefined],
    ["group_ids[0]", "group_ids", true, 0],
    [undefined, "name", false, undefined],
  ])("%s for input %s", (field, input, belongs, index) => {
    expect(isProblemOf(problem(field), input)).toBe(belongs);
    expect(entryIndexOf(problem(field))).toBe(index);
  });
});
