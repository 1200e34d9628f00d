import { describe, expect, it } from "vitest";
import { pathOf, queryOf } from "./request-view.js";

describe("pathOf", () => {
  it.each([
    ["/v1/messages", "/v1/messages"],
    ["/v1beta/models/gemini-2.5-pro:generateContent?key=AIza&alt=sse", "/v1beta/models/gemini-2.5-pro:generateContent"],
    ["/antigravity/v1/messages?", "/antigravity/v1/messages"],
    [undefined, "/"],
  ])("%s -> %s", (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});

describe("queryOf", () => {
  it("reads the parameters of a query string", () => {
    const query = queryOf("?key=AIza%2Fx&alt=sse");
    expect(query.get("key")).toBe("AIza/x");
    expect(query.get("alt")).toBe("sse");
  });

  it("answers null for every name when there is no query", () => {
    expect(queryOf("").get("key")).toBeNull();
  });
});
