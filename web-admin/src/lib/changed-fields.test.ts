import { describe, expect, it } from "vitest";
import { changedFields, sameStrings } from "./changed-fields.js";

describe("changedFields", () => {
  const original = { id: "u1", name: "Ann", concurrency: 0, active: true, note: "" };
  it.each([
    [{ name: "Ann", concurrency: 0, active: true }, {}],
    [{ name: "Anne", concurrency: 0, active: true }, { name: "Anne" }],
    [
      { name: "Ann", concurrency: 3, active: false },
      { concurrency: 3, active: false },
    ],
  ])("%j -> %j", (next, expected) => {
    expect(changedFields(original, next, ["name", "concurrency", "active"])).toEqual(expected);
  });

  it("an emptied text is a change, not an omission", () => {
    expect(changedFields({ ...original, note: "x" }, { note: "" }, ["note"])).toEqual({ note: "" });
  });
});

describe("sameStrings", () => {
  it.each([
    [[], [], true],
    [["a", "b"], ["a", "b"], true],
    [["a", "b"], ["b", "a"], false],
    [["a"], ["a", "a"], false],
  ])("%j vs %j", (a, b, same) => {
    expect(sameStrings(a, b)).toBe(same);
  });
});
