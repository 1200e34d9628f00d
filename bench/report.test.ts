import { describe, expect, it } from "vitest";
import { renderReport, table } from "./report.js";
import { benchResults, latencyRow, saturationRow, slowStreamRow } from "./result-rows.fixture.js";

const base = benchResults({
  sections: ["latency"],
  finishedAt: "t1",
  contenders: ["direct", "floor", "dataplane"],
  pending: [{ name: "dataplane-redis", reason: "pending: REDIS_URL not honoured" }],
});

const row = (contender: string, ratePerSec: number, p50Ms: number, p99Ms: number) =>
  latencyRow(contender, p50Ms, p99Ms, {
    ratePerSec,
    roundsP50Ms: [p50Ms + 0.1, p50Ms, p50Ms - 0.05],
    cpuUsPerRequest: contender === "direct" ? undefined : 120,
  });

describe("table", () => {
  it("renders a markdown table, missing cells as a dash", () => {
    expect(table(["a", "b"], [[1, undefined]])).toBe("| a | b |\n| --- | --- |\n| 1 | — |");
  });
});

describe("renderReport", () => {
  it("gives the machine's speed at the start and the end of the run", () => {
    const calibration = {
      start: { jsonParseUs: 150.4, loopbackRoundTripUs: 30.2 },
      end: { jsonParseUs: 612.6, loopbackRoundTripUs: 55.7 },
    };
    expect(renderReport({ ...base, calibration }, [])).toContain(
      "Machine speed (bench/calibration.ts, at start / end): JSON.parse of the 76 KB request 150 / 613 µs, loopback TCP round trip 30 / 56 µs",
    );
    expect(renderReport(base, [])).not.toContain("Machine speed");
  });

  it("says where the proxies ran", () => {
    expect(renderReport({ ...base, pinning: "proxy on CPU 1" }, [])).toContain("CPU pinning: proxy on CPU 1");
  });

  it("states the machine and pending contenders, and differences against direct and the floor", () => {
    const report = renderReport(
      {
        ...base,
        latency: [row("direct", 499, 0.3, 0.9), row("floor", 498, 0.45, 1.2), row("dataplane", 497, 0.5, 1.5)],
      },
      [],
    );
    expect(report).toContain("Machine: Xeon, 2 cores, 24 GiB, Node v20.20.2");
    expect(report).toContain("Not measured: dataplane-redis: pending: REDIS_URL not honoured");
    expect(report).toContain("CPU pinning: none");
    expect(report).toContain("Command: `npm run bench --` on 0123456789ab, t0 to t1");
    expect(report).toContain(
      "| anthropic | dataplane | 500 | 497 | 0.500 | 1.500 | 0.600 / 0.500 / 0.450 | 120 | +0.200 | +0.600 | +0.050 | +0.300 | — |",
    );
    expect(report).not.toContain("under 90%");
    expect(report).not.toContain("Baseline:");
  });

  it("names the baseline's checkout and commit beside the run's own", () => {
    const report = renderReport({ ...base, baseline: { dir: "/work/base", code: "fedcba987654" } }, []);
    expect(report).toContain("Baseline: the data plane of /work/base on fedcba987654");
  });

  it("compares this checkout's data plane with the baseline's round by round", () => {
    const report = renderReport(
      {
        ...base,
        contenders: ["floor", "dataplane", "baseline"],
        saturation: [
          saturationRow("dataplane", 95, { rounds: [95, 150, 90] }),
          saturationRow("baseline", 100, { rounds: [100, 160, 100] }),
        ],
        latency: [
          latencyRow("dataplane", 0.5, 1, { roundsP50Ms: [0.5, 0.7, 0.45] }),
          latencyRow("baseline", 0.52, 1, { roundsP50Ms: [0.52, 0.75, 0.5] }),
        ],
      },
      [],
    );
    expect(report).toContain("## This checkout against the baseline");
    expect(report).toContain("| anthropic | CPU µs/req at saturation | 95 | 100 | 0.938x | 0.95 / 0.94 / 0.90 |");
    expect(report).toContain(
      "| anthropic | p50 ms at a fixed rate | 0.500 | 0.520 | -0.050 | -0.020 / -0.050 / -0.050 |",
    );
    expect(renderReport(base, [])).not.toContain("against the baseline");
  });

  it("gives each saturation row its ratio to the floor and the part of its CPU on the main thread", () => {
    const report = renderReport(
      {
        ...base,
        saturation: [
          saturationRow("floor", 100, { mainThreadCpuUsPerRequest: 88 }),
          saturationRow("all-in-one", 290, { mainThreadCpuUsPerRequest: 151.6, rounds: [301, 290, 288] }),
        ],
      },
      [],
    );
    expect(report).toContain("| anthropic | floor | 1000 | 100 | 1.00x | 88 | 100 | — | 50 | — | — |");
    expect(report).toContain(
      "| anthropic | all-in-one | 1000 | 290 | 2.90x | 152 | 100 | — | 50 | 301 / 290 / 288 | — |",
    );
  });

  it.each([
    { rounds: [104, 130, 181], warned: true },
    { rounds: [100, 130, 110], warned: true },
    { rounds: [100, 129, 110], warned: false },
    { rounds: [181], warned: false },
  ])("says when the floor's own saturation rounds $rounds spread by 1.3x or more", ({ rounds, warned }) => {
    const report = renderReport(
      {
        ...base,
        saturation: [
          saturationRow("floor", rounds[1] ?? 0, { rounds }),
          saturationRow("dataplane", 300, { rounds: [150, 300, 310] }),
        ],
      },
      [],
    );
    const low = Math.min(...rounds).toFixed(0);
    const high = Math.max(...rounds).toFixed(0);
    const line = `- The floor's own CPU per request moved by 1.3x or more between its saturation rounds on anthropic (${low}-${high} µs): the machine's state changed within the run`;
    expect(report.includes(line)).toBe(warned);
    expect(report).not.toContain("dataplane (150");
  });

  it("warns when a contender could not serve the offered rate", () => {
    const report = renderReport({ ...base, latency: [row("direct", 499, 0.3, 0.9), row("dataplane", 300, 9, 40)] }, []);
    expect(report).toContain("Under 90% of the offered rate was served");
    expect(report).toContain(": anthropic / dataplane.");
  });

  it("gives each slow-stream percentile the count it is taken over, and its difference from direct", () => {
    const report = renderReport(
      {
        ...base,
        slowStreams: [
          slowStreamRow("direct", { chunkDelayP99Ms: 0.5, stampedChunks: 39_000, chunks: 38_000 }),
          slowStreamRow("dataplane", {
            chunkDelayP99Ms: 12.25,
            stampedChunks: 38_500,
            allOpenChunkDelayP99Ms: 3.5,
            allOpenStampedChunks: 20_000,
            roundsAllOpenChunkDelayP99Ms: [9, 3.5, 2],
            chunkGapExcessP99Ms: 14,
            chunks: 37_000,
          }),
        ],
      },
      [],
    );
    expect(report).toContain(
      "| dataplane | 0.10 | 12.25 (38500) | +11.75 | 3.50 (20000) | 9.00 / 3.50 / 2.00 | 0.10 | 14.00 (37000) | -26.00 | 40.00 (10000) |",
    );
  });

  it("says in a slow-stream row's errors when the contender's usage was not drained after its streams", () => {
    const report = renderReport(
      {
        ...base,
        slowStreams: [slowStreamRow("direct"), slowStreamRow("dataplane", { usageDrained: false })],
      },
      [],
    );
    expect(report).toContain(
      "| dataplane | 1000/1000 | 1000 | 50 -> 200 | 4000 | 1.00 | 2.00 | +0.00 | usage backlog not drained |",
    );
    expect(report).toContain("| direct | 1000/1000 | 1000 | 50 -> 200 | 4000 | 1.00 | 2.00 | +0.00 | — |");
  });

  it("prints each target with its verdict and, where rounds were compared, the round pairs within its limit", () => {
    const report = renderReport(base, [
      {
        target: "usage ingest into PostgreSQL",
        subject: "controlplane",
        value: 25_000,
        limit: 20_000,
        unit: "records/s",
        verdict: "pass",
      },
      {
        target: "CPU per request vs floor",
        subject: "dataplane / anthropic",
        value: 1.46,
        limit: 1.5,
        unit: "x",
        verdict: "pass",
        roundPairs: { within: 2, of: 3 },
      },
    ]);
    expect(report).toContain(
      "| usage ingest into PostgreSQL | controlplane | 25000 records/s | >= 20000 records/s | PASS | — |",
    );
    expect(report).toContain(
      "| CPU per request vs floor | dataplane / anthropic | 1.46 x | <= 1.5 x | PASS | 2 of 3 |",
    );
  });
});
