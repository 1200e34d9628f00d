import { describe, expect, it } from "vitest";
import { findCredential } from "./credentials.js";

describe("findCredential", () => {
  const cases: [string, Record<string, string>, Record<string, string>, ReturnType<typeof findCredential>][] = [
    ["x-api-key", { "x-api-key": "k1" }, {}, { credential: "k1", source: "x-api-key" }],
    ["bearer", { authorization: "Bearer t1" }, {}, { credential: "t1", source: "authorization" }],
    ["bearer in lower case", { authorization: "bearer  t2 " }, {}, { credential: "t2", source: "authorization" }],
    ["x-goog-api-key", { "x-goog-api-key": "g1" }, {}, { credential: "g1", source: "x-goog-api-key" }],
    ["?key=", {}, { key: "q1" }, { credential: "q1", source: "query-key" }],
    [
      "x-api-key wins over bearer",
      { "x-api-key": "k", authorization: "Bearer t" },
      {},
      { credential: "k", source: "x-api-key" },
    ],
    ["basic auth is not a credential", { authorization: "Basic abc" }, {}, null],
    ["empty bearer", { authorization: "Bearer " }, {}, null],
    [
      "empty x-api-key falls through",
      { "x-api-key": "", "x-goog-api-key": "g" },
      {},
      { credential: "g", source: "x-goog-api-key" },
    ],
    ["nothing", {}, {}, null],
  ];
  it.each(cases)("%s", (_name, headers, query, expected) => {
    expect(findCredential(headers, query)).toEqual(expected);
  });
});
