import { describe, expect, it } from "vitest";
import { updateKind } from "./config-reader.js";

describe("updateKind", () => {
  const head = { version: 50, configVersion: 45, tombstoneFloor: 10, defaultPricesVersion: 5 };
  it.each([
    ["a new data plane", 0, "snapshot"],
    ["a current data plane", 50, "none"],
    ["a data plane behind a config change", 40, "delta"],
    ["a data plane just before the last config change", 44, "delta"],
    ["a data plane at the last config change, behind usage stamps", 45, "billing"],
    ["a data plane past the last config change", 48, "billing"],
    ["a version this database never issued", 51, "snapshot"],
    ["older than the pruned tombstones", 9, "snapshot"],
    ["exactly at the tombstone floor", 10, "delta"],
    ["older than the shipped price table", 4, "snapshot"],
  ] as const)("%s", (_name, known, expected) => {
    expect(updateKind(known, head)).toBe(expected);
  });

  // Pruning and the shipped price table still force a snapshot when only usage stamps followed.
  const onlyStamps = { ...head, configVersion: 3 };
  it.each([
    ["a new data plane", 0, "snapshot"],
    ["older than the pruned tombstones", 9, "snapshot"],
    ["older than the shipped price table", 4, "snapshot"],
    ["at the tombstone floor", 10, "billing"],
  ] as const)("only usage stamps since the last config change: %s", (_name, known, expected) => {
    expect(updateKind(known, onlyStamps)).toBe(expected);
  });
});
