import { describe, expect, it } from "vitest";
import { CONTENDER_NAMES } from "./contenders.js";
import { parseBenchArgs, SECTIONS, WORKLOAD_NAMES } from "./options.js";

describe("parseBenchArgs", () => {
  it("runs everything in full by default", () => {
    expect(parseBenchArgs([], "/out")).toEqual({
      quick: false,
      sections: [...SECTIONS],
      workloads: [...WORKLOAD_NAMES],
      contenders: [...CONTENDER_NAMES],
      cpuProf: false,
      nodeFlags: [],
      unpinned: false,
      rounds: undefined,
      baseline: undefined,
      outDir: "/out",
    });
  });

  it.each([
    [["--only", "propagation,latency"], "sections", ["latency", "propagation"]],
    [["--only", " usage-ingest "], "sections", ["usage-ingest"]],
    [["--workloads", "openai-stream"], "workloads", ["openai-stream"]],
    [["--contenders", "dataplane,floor"], "contenders", ["floor", "dataplane"]],
    [["--contenders", "floor-agent,floor"], "contenders", ["floor", "floor-agent"]],
    [["--quick"], "quick", true],
    [["--unpinned"], "unpinned", true],
    [["--rounds", "9"], "rounds", 9],
    [["--baseline", "."], "baseline", process.cwd()],
    [["--cpu-prof", "--out", "/tmp/x"], "outDir", "/tmp/x"],
    [
      ["--node-flags= --log-deopt  --logfile=/tmp/v8-{name}.log "],
      "nodeFlags",
      ["--log-deopt", "--logfile=/tmp/v8-{name}.log"],
    ],
  ])("%j sets %s", (args, field, expected) => {
    const options = parseBenchArgs(args, "/out");
    expect(options).not.toBe("help");
    expect((options as unknown as Record<string, unknown>)[field]).toEqual(expected);
  });

  it.each([
    [["--only", "everything"], /--only: unknown everything/],
    [["--only", ","], /--only: name at least one/],
    [["--contenders", "nginx"], /--contenders: unknown nginx/],
    [["--fast"], /Unknown option/],
    [["--rounds", "0"], /--rounds: expected a whole number from 1 to 50, got "0"/],
    [["--rounds", "2.5"], /--rounds: expected a whole number/],
    [["--rounds", "many"], /--rounds: expected a whole number/],
    [
      ["--node-flags=log-deopt"],
      /--node-flags: expected flags starting with -- \(a value joined with =\), got "log-deopt"/,
    ],
    [["--node-flags= "], /--node-flags: expected flags starting with --/],
    [["--baseline", "/nonexistent"], /--baseline: \/nonexistent is not a Tollgate checkout with node_modules/],
  ])("%j is refused", (args, message) => {
    expect(() => parseBenchArgs(args, "/out")).toThrow(message);
  });

  it("answers help", () => {
    expect(parseBenchArgs(["-h"], "/out")).toBe("help");
  });
});
