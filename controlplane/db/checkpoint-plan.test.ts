import { describe, expect, it } from "vitest";
import { CHECKPOINT_AGE_MS, CHECKPOINT_WAL_BYTES, checkpointDue } from "./checkpoint-plan.js";

const MB = 1024 * 1024;

describe("checkpointDue", () => {
  it.each<[string, number, number, boolean]>([
    ["just after a checkpoint", 120, 1_000, false],
    ["a busy minute under the WAL limit", CHECKPOINT_WAL_BYTES - 1, 60_000, false],
    ["the WAL limit reached, however recent the last one", CHECKPOINT_WAL_BYTES, 1_000, true],
    ["far past the WAL limit", 40 * CHECKPOINT_WAL_BYTES, 0, true],
    ["five minutes and a megabyte of WAL", MB, CHECKPOINT_AGE_MS, true],
    ["five minutes of near silence", MB - 1, CHECKPOINT_AGE_MS, false],
    ["a megabyte, a second short of five minutes", 10 * MB, CHECKPOINT_AGE_MS - 1_000, false],
    ["idle for a day", 0, 24 * 3600_000, false],
  ])("%s", (_name, walBytes, ageMs, due) => {
    expect(checkpointDue(walBytes, ageMs)).toBe(due);
  });
});
