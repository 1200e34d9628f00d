import { describe, expect, it } from "vitest";
import { benchResults, latencyRow, saturationRow, slowStreamRow } from "./result-rows.fixture.js";
import { checkTargets } from "./targets.js";

const sat = (contender: string, workload: string, cpu: number) => saturationRow(contender, cpu, { workload });
const lat = (contender: string, workload: string, p50Ms: number, p99Ms: number) =>
  latencyRow(contender, p50Ms, p99Ms, { workload });
const streams = (
  contender: string,
  rssPeakMb: number | undefined,
  delayP99: number,
  completed = 1000,
  allOpenDelayP99 = delayP99,
) =>
  slowStreamRow(contender, {
    rssPeakMb,
    completed,
    failed: 1000 - completed,
    chunkDelayP99Ms: delayP99,
    allOpenChunkDelayP99Ms: allOpenDelayP99,
    stampedChunks: Number.isNaN(delayP99) ? 0 : 30_000,
  });

const find = (checks: ReturnType<typeof checkTargets>, target: string, subject: string) =>
  checks.find((c) => c.target.startsWith(target) && c.subject === subject);

describe("checkTargets", () => {
  it.each([
    ["dataplane at 1.5x passes", "dataplane", 150, "pass"],
    ["dataplane at 1.6x fails", "dataplane", 160, "fail"],
    ["all-in-one at 2.5x passes", "all-in-one", 250, "pass"],
    ["all-in-one at 2.6x fails", "all-in-one", 260, "fail"],
  ])("CPU vs floor: %s", (_label, contender, cpu, verdict) => {
    const checks = checkTargets(
      benchResults({
        sections: ["saturation"],
        saturation: [sat("floor", "anthropic", 100), sat(contender, "anthropic", cpu)],
      }),
    );
    expect(find(checks, "CPU per request vs floor", `${contender} / anthropic`)?.verdict).toBe(verdict);
  });

  it("reports the 76 KB ratio beside, without a verdict, and skips workloads that did not run", () => {
    const checks = checkTargets(
      benchResults({
        sections: ["saturation"],
        saturation: [sat("floor", "anthropic-76k", 100), sat("dataplane", "anthropic-76k", 900)],
      }),
    );
    expect(find(checks, "CPU per request vs floor", "dataplane / anthropic-76k")).toMatchObject({
      value: 9,
      verdict: "report",
    });
    expect(find(checks, "CPU per request vs floor", "dataplane / anthropic")).toBeUndefined();
  });

  it("lists a data plane that ran no row as not measured", () => {
    const checks = checkTargets(
      benchResults({ sections: ["saturation"], saturation: [sat("floor", "anthropic", 100)] }),
    );
    expect(find(checks, "CPU per request vs floor", "dataplane / anthropic")?.verdict).toBe("not measured");
  });

  it.each([
    [0.09, 0.49, "pass", "pass"],
    [0.11, 0.5, "fail", "pass"],
    [0.05, 0.51, "pass", "fail"],
  ])("latency over floor +%d/+%d ms", (p50Over, p99Over, p50Verdict, p99Verdict) => {
    const checks = checkTargets(
      benchResults({
        sections: ["latency"],
        latency: [lat("floor", "anthropic", 1, 2), lat("dataplane", "anthropic", 1 + p50Over, 2 + p99Over)],
      }),
    );
    expect(find(checks, "p50 latency", "dataplane / anthropic")?.verdict).toBe(p50Verdict);
    expect(find(checks, "p99 latency", "dataplane / anthropic")?.verdict).toBe(p99Verdict);
  });

  it("counts the round pairs within each limit, pairing rounds by index", () => {
    const checks = checkTargets(
      benchResults({
        sections: ["saturation", "latency"],
        saturation: [
          saturationRow("floor", 100, { rounds: [100, 100, 100] }),
          // 1.4x, 1.6x and 1.49x the floor's round of the same index; the fourth round has no pair.
          saturationRow("dataplane", 149, { rounds: [140, 160, 149, 100] }),
        ],
        latency: [
          latencyRow("floor", 0.4, 2, { roundsP50Ms: [0.4, 0.5, 0.4], roundsP99Ms: [2, 1, 3] }),
          latencyRow("dataplane", 0.55, 2.2, { roundsP50Ms: [0.45, 0.7, 0.55], roundsP99Ms: [2.2, 1.6, 3.4] }),
        ],
      }),
    );
    expect(find(checks, "CPU per request vs floor", "dataplane / anthropic")?.roundPairs).toEqual({ within: 2, of: 3 });
    expect(find(checks, "p50 latency", "dataplane / anthropic")?.roundPairs).toEqual({ within: 1, of: 3 });
    expect(find(checks, "p99 latency", "dataplane / anthropic")?.roundPairs).toEqual({ within: 2, of: 3 });
  });

  it("compares no rounds where the floor has none", () => {
    const checks = checkTargets(
      benchResults({
        sections: ["saturation"],
        saturation: [saturationRow("floor", undefined), saturationRow("dataplane", 150)],
      }),
    );
    expect(find(checks, "CPU per request vs floor", "dataplane / anthropic")).toMatchObject({
      verdict: "not measured",
      roundPairs: undefined,
    });
  });

  it.each([
    ["within both limits", streams("dataplane", 290, 6), "pass", "pass"],
    ["too much memory", streams("dataplane", 310, 6), "fail", "pass"],
    ["chunks late by more than 5 ms over direct", streams("dataplane", 200, 7.5), "pass", "fail"],
    ["streams that did not complete", streams("dataplane", 200, 2, 990), "fail", "fail"],
    ["late chunks only while the streams opened", streams("dataplane", 200, 30, 1000, 6), "pass", "pass"],
    ["late chunks with every stream open", streams("dataplane", 200, 6, 1000, 7.5), "pass", "fail"],
    ["chunks earlier than direct's (the machine's noise)", streams("dataplane", 200, 1.5), "pass", "pass"],
    [
      "no stamped chunks (an upstream without --stamp-chunks)",
      streams("dataplane", 200, Number.NaN),
      "pass",
      "not measured",
    ],
  ])("slow streams: %s", (_label, row, rss, delay) => {
    const checks = checkTargets(
      benchResults({ sections: ["slow-streams"], slowStreams: [streams("direct", undefined, 2), row] }),
    );
    expect(find(checks, "RSS with", "dataplane")?.verdict).toBe(rss);
    expect(find(checks, "chunk forwarding delay", "dataplane")?.verdict).toBe(delay);
  });

  it.each([
    [
      "beside the data plane's, for scale",
      [streams("direct", undefined, 2), streams("floor", 130, 9.5)],
      7.5,
      "report",
    ],
    ["without direct's to subtract", [streams("floor", 130, 9.5)], undefined, "not measured"],
  ])("lists the floor's chunk delay %s, never as a verdict", (_label, rows, value, verdict) => {
    const checks = checkTargets(benchResults({ sections: ["slow-streams"], slowStreams: rows }));
    expect(find(checks, "chunk forwarding delay", "floor")).toMatchObject({ value, verdict });
  });

  it("lists no floor row when the floor did not run the slow streams", () => {
    const checks = checkTargets(
      benchResults({
        sections: ["slow-streams"],
        slowStreams: [streams("direct", undefined, 2), streams("dataplane", 200, 3)],
      }),
    );
    expect(checks.filter((c) => c.subject === "floor")).toEqual([]);
  });

  it("reports a chunk delay under direct's as the negative difference it is", () => {
    const checks = checkTargets(
      benchResults({
        sections: ["slow-streams"],
        slowStreams: [streams("direct", undefined, 2), streams("dataplane", 200, 1.5)],
      }),
    );
    expect(find(checks, "chunk forwarding delay", "dataplane")?.value).toBe(-0.5);
  });

  it.each([
    [[19_999], "fail"],
    [[8_000, 20_000], "pass"],
  ])("usage ingest best of %j", (rates, verdict) => {
    const usageIngest = rates.map((recordsPerSec, i) => ({
      streams: i + 1,
      recordsPerSec,
      batchSize: 1000,
      applied: 1,
      batches: 1,
      rowsInDatabase: 1,
      elapsedMs: 1,
    }));
    const checks = checkTargets(benchResults({ sections: ["usage-ingest"], usageIngest }));
    expect(find(checks, "usage ingest", "controlplane")?.verdict).toBe(verdict);
  });

  it.each([
    [[12, 199.9], "pass"],
    [[12, 250], "fail"],
  ])("GetUsageStats slowest of %j ms", (maxima, verdict) => {
    const usageStats = {
      rows: 1_000_000,
      database: "db",
      seededMs: undefined,
      timings: maxima.map((maxMs, i) => ({ name: `q${i}`, buckets: 1, medianMs: maxMs / 2, maxMs })),
    };
    const checks = checkTargets(benchResults({ sections: ["usage-stats"], usageStats }));
    expect(find(checks, "GetUsageStats", "controlplane")?.verdict).toBe(verdict);
  });

  it("checks nothing for sections that did not run", () => {
    expect(checkTargets(benchResults({ sections: ["session-identity"] }))).toEqual([]);
  });
});
