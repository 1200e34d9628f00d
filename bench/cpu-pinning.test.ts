import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { allowedCpus, cpuSplit, pinProcess } from "./cpu-pinning.js";

describe("cpuSplit", () => {
  it.each<[number, ReturnType<typeof cpuSplit>]>([
    [1, undefined],
    [0, undefined],
    [Number.NaN, undefined],
    [2, { proxy: "1", load: "0", all: "0-1" }],
    [4, { proxy: "3", load: "0-2", all: "0-3" }],
  ])("%d CPUs -> %j", (count, split) => {
    expect(cpuSplit(count)).toEqual(split);
  });
});

describe("pinProcess", () => {
  it("binds a running process to the CPUs named", () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      expect(pinProcess(child.pid as number, "0")).toBe(true);
      expect(allowedCpus(child.pid as number)).toBe("0");
    } finally {
      child.kill();
    }
  });

  it("says false for a process that does not exist", () => {
    expect(pinProcess(2 ** 22 + 1, "0")).toBe(false);
  });
});
