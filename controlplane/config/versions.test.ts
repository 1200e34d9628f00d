import { describe, expect, it } from "vitest";
import { changeNotice, parseChangeNotice } from "./versions.js";

describe("change notices (the NOTIFY payload of a version)", () => {
  it.each([
    ["a config change", changeNotice(42, "config"), { version: 42, kind: "config" }],
    ["a usage stamp", changeNotice(43, "usage"), { version: 43, kind: "usage" }],
    ["no payload (a reconnected listener)", undefined, { version: undefined, kind: "config" }],
    ["something not ours", "hello", { version: undefined, kind: "config" }],
    ["a version that is not positive", "0 usage", { version: undefined, kind: "usage" }],
  ])("%s", (_name, payload, expected) => {
    expect(parseChangeNotice(payload)).toEqual(expected);
  });

  it("keeps a config change's payload the bare number that earlier releases send and read", () => {
    expect(changeNotice(42, "config")).toBe("42");
  });
});
