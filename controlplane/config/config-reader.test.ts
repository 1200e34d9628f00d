import { describe, expect, it } from "vitest";
import { updateKind } from "./config-reader.js";

describe("updateKind", () => {
  const head = { version: 50, tombstoneFloor: 10, defaultPricesVersion: 5 };
  it.each([
    ["a new data plane", 0, "snapshot"],
    ["a current data plane", 50, "none"],
    ["a data plane a little behind", 40, "delta"],
    ["a version this database never issued", 51, "snapshot"],
    ["older than the pruned tombstones", 9, "snapshot"],
    ["exactly at the tombstone floor", 10, "delta"],
    ["older than the shipped price table", 4, "snapshot"],
  ] as const)("%s", (_name, known, expected) => {
    expect(updateKind(known, head)).toBe(expected);
  });
});
