import { describe, expect, it } from "vitest";
import { parseBody, splitTarget } from "./body.js";

describe("parseBody", () => {
  const cases: [string, string | undefined, ReturnType<typeof parseBody>][] = [
    ["", "application/json", { value: null, invalid: false }],
    ['{"a":1}', "application/json", { value: { a: 1 }, invalid: false }],
    ['{"a":1}', undefined, { value: { a: 1 }, invalid: false }],
    ["{", "application/json", { value: "{", invalid: true }],
    [
      "grant_type=refresh_token&refresh_token=r1",
      "application/x-www-form-urlencoded",
      { value: { grant_type: "refresh_token", refresh_token: "r1" }, invalid: false },
    ],
  ];
  it.each(cases)("%j (%s)", (text, contentType, expected) => {
    expect(parseBody(text, contentType)).toEqual(expected);
  });
});

describe("splitTarget", () => {
  it("splits path and query", () => {
    expect(splitTarget("/v1/messages?beta=true&key=k")).toEqual({
      path: "/v1/messages",
      query: { beta: "true", key: "k" },
    });
    expect(splitTarget("/v1/models")).toEqual({ path: "/v1/models", query: {} });
  });
});
