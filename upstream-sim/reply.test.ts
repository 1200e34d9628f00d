import { describe, expect, it } from "vitest";
import { MAX_CHUNKS, replyPieces, splitWords } from "./reply.js";

describe("splitWords", () => {
  const cases: [string, string[]][] = [
    ["Hello from upstream-sim.", ["Hello", " from", " upstream-sim."]],
    ["one", ["one"]],
    ["", [""]],
    ["  ", ["  "]],
    [" lead and trail ", [" lead", " and", " trail", " "]],
    ["line\nbreak", ["line", "\nbreak"]],
  ];
  it.each(cases)("%j", (text, pieces) => {
    expect(splitWords(text)).toEqual(pieces);
    expect(splitWords(text).join("")).toBe(text);
  });
});

describe("replyPieces", () => {
  it("splits into words without a chunk count", () => {
    expect(replyPieces("a b", undefined)).toEqual(["a", " b"]);
  });
  it("repeats the text once per chunk with a chunk count", () => {
    expect(replyPieces("hi.", 3)).toEqual(["hi.", " hi.", " hi."]);
  });
  it("sends at least one chunk and at most MAX_CHUNKS", () => {
    expect(replyPieces("hi.", 0)).toEqual(["hi."]);
    expect(replyPieces("hi.", 10 ** 9)).toHaveLength(MAX_CHUNKS);
  });
});
