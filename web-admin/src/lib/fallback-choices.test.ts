import { describe, expect, it } from "vitest";
import { fallbackChoices } from "./fallback-choices.js";

const groups = (links: Record<string, string>) =>
  Object.entries(links).map(([id, fallbackGroupId]) => ({ id, fallbackGroupId }));
const ids = (list: { id: string }[]) => list.map((g) => g.id);

describe("fallbackChoices", () => {
  it.each([
    ["a new group may pick any group", { a: "", b: "a" }, undefined, ["a", "b"]],
    ["never itself", { a: "", b: "" }, "a", ["b"]],
    ["not a group falling back to it", { a: "", b: "a" }, "a", []],
    ["not a group whose chain leads back", { a: "", b: "c", c: "a", d: "" }, "a", ["d"]],
    ["groups whose chain ends elsewhere", { a: "b", b: "c", c: "", d: "c" }, "a", ["b", "c", "d"]],
    ["a loop among others is not this group's cycle", { a: "", b: "c", c: "b" }, "a", ["b", "c"]],
    ["a dangling fallback ends the chain", { a: "", b: "gone" }, "a", ["b"]],
  ])("%s", (_name, links, groupId, expected) => {
    expect(ids(fallbackChoices(groups(links), groupId))).toEqual(expected);
  });
});
