import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./child.js";
import { codeVersion, codeVersionOf } from "./code-version.js";

describe("codeVersionOf", () => {
  it.each([
    ["a clean checkout", "", "0123456789ab"],
    ["only untracked files", "?? .scratch/\n?? bench/results/\n", "0123456789ab"],
    ["a modified file", " M dataplane/pipeline/relay.ts\n", "0123456789ab with uncommitted changes"],
    ["a staged file beside untracked ones", "?? notes.md\nA  bench/new.ts\n", "0123456789ab with uncommitted changes"],
  ])("%s", (_name, status, expected) => {
    expect(codeVersionOf("0123456789ab", status)).toBe(expected);
  });

  it("reads this checkout's commit", () => {
    expect(codeVersion(REPO_ROOT)).toMatch(/^[0-9a-f]{12}( with uncommitted changes)?$/);
  });

  it("is undefined outside a git checkout", () => {
    expect(codeVersion("/")).toBeUndefined();
  });
});
