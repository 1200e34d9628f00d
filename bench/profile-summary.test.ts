import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CpuProfile, groupOf, summarizeProfile, summaryCommand } from "./profile-summary.js";

const ROOT = "/repo";
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe("groupOf", () => {
  it.each([
    [frame("(garbage collector)", ""), "(garbage collector)"],
    [frame("writeHead", "node:_http_server"), "node internals"],
    [frame("parse", ""), "(native/builtin)"],
    [frame("dispatch", "file:///repo/node_modules/undici/lib/dispatcher/client.js"), "undici"],
    [frame("create", "file:///repo/node_modules/@bufbuild/protobuf/dist/esm/create.js"), "@bufbuild/protobuf"],
    [frame("proxy", "file:///repo/dataplane/pipeline/proxy.ts"), "dataplane/pipeline/"],
    [frame("newId", "file:///repo/common/ids.ts"), "common/"],
    [frame("relay", "file:///repo/.build/8c0db49871c93f50/dataplane/pipeline/relay.js"), "dataplane/pipeline/"],
  ])("%j -> %s", (input, group) => {
    expect(groupOf(input, ROOT)).toBe(group);
  });
});

describe("summarizeProfile", () => {
  // root -> proxy -> parse (JSON), and root -> (idle); 10 ms per sample.
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 100_000,
    nodes: [
      { id: 1, callFrame: frame("(root)", ""), children: [2, 4] },
      { id: 2, callFrame: frame("proxy", "file:///repo/dataplane/pipeline/proxy.ts", 49), children: [3] },
      { id: 3, callFrame: frame("parse", "") },
      { id: 4, callFrame: frame("(idle)", "") },
    ],
    samples: [3, 3, 3, 2, 4, 4, 4, 4, 4, 4],
    timeDeltas: [10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000],
  };

  it("splits idle from busy time and ranks self time among busy samples", () => {
    const summary = summarizeProfile(profile, ROOT);
    expect(summary.wallMs).toBe(100);
    expect(summary.idlePercent).toBe(60);
    expect(summary.busyMs).toBe(40);
    expect(summary.selfTop).toEqual([
      { name: "parse", ms: 30, percent: 75 },
      { name: "proxy dataplane/pipeline/proxy.ts:50", ms: 10, percent: 25 },
    ]);
  });

  it("keeps only the samples inside the windows (the load, not startup or idle gaps)", () => {
    // Samples at 10..100 ms; the window 15-45 ms holds the 2nd, 3rd and 4th: parse, parse, proxy.
    const summary = summarizeProfile(profile, ROOT, 15, [[15_000, 45_000]]);
    expect(summary.idlePercent).toBe(0);
    expect(summary.busyMs).toBe(30);
    expect(summary.selfTop.map((e) => [e.name, e.ms])).toEqual([
      ["parse", 20],
      ["proxy dataplane/pipeline/proxy.ts:50", 10],
    ]);
  });

  it("counts our functions inclusively (callees included)", () => {
    expect(summarizeProfile(profile, ROOT).ownInclusive).toEqual([
      { name: "proxy dataplane/pipeline/proxy.ts:50", ms: 40, percent: 100 },
    ]);
  });
});

describe("summaryCommand", () => {
  const dir = mkdtempSync(join(tmpdir(), "profile-summary-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const profileFile = join(dir, "p.cpuprofile");
  writeFileSync(
    profileFile,
    JSON.stringify({
      startTime: 0,
      endTime: 20_000,
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2] },
        { id: 2, callFrame: frame("parse", "") },
      ],
      samples: [2, 2],
      timeDeltas: [10_000, 10_000],
    }),
  );
  const resultsFile = join(dir, "results.json");
  writeFileSync(
    resultsFile,
    JSON.stringify({
      saturation: [{ contender: "floor", workload: "anthropic", windowsUs: [[0, 20_000]] }],
      latency: [
        { contender: "floor", workload: "anthropic", windowsUs: [[15_000, 20_000]] },
        { contender: "floor", workload: "openai-stream" },
      ],
    }),
  );

  it("summarises a profile, within the saturation or paced windows of the contender named", () => {
    expect(summaryCommand([profileFile, "--top", "1"])).toContain("20 ms profiled, 20 ms busy");
    expect(summaryCommand([profileFile, "--results", resultsFile, "--contender", "floor"])).toContain(
      "20 ms under load, 20 ms busy",
    );
    // Only the second sample (at 20 ms) is in the paced round's window.
    expect(
      summaryCommand([profileFile, "--results", resultsFile, "--contender", "floor", "--section", "latency"]),
    ).toContain("10 ms under load, 10 ms busy");
    expect(summaryCommand(["--help"])).toMatch(/^usage: profile-summary/);
  });

  it.each([
    [["--verbose", profileFile], /Unknown option '--verbose'/],
    [[], /name a \.cpuprofile file/],
    [[profileFile, "--top", "ten"], /--top: a whole number of 1 or more, not ten/],
    [[profileFile, "--results", resultsFile, "--contender", "dataplane"], /no saturation round of contender dataplane/],
    [
      [profileFile, "--results", resultsFile, "--contender", "dataplane", "--section", "latency"],
      /no latency round of contender dataplane/,
    ],
    [[profileFile, "--section", "slow"], /--section: saturation or latency, not slow/],
    [[profileFile, "--section", "latency"], /pick rounds of a run: name its results\.json with --results/],
    [[profileFile, "--contender", "floor"], /pick rounds of a run: name its results\.json with --results/],
    [
      [
        profileFile,
        "--results",
        resultsFile,
        "--contender",
        "floor",
        "--workload",
        "openai-stream",
        "--section",
        "latency",
      ],
      /latency rounds of contender floor on workload openai-stream say nothing of when they ran/,
    ],
    [
      [profileFile, "--results", resultsFile, "--contender", "floor", "--workload", "openai-stream"],
      /no saturation round of contender floor on workload openai-stream/,
    ],
  ])("refuses %j with a message for the user", (args, message) => {
    expect(() => summaryCommand(args)).toThrow(message);
  });
});
