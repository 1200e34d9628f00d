import { describe, expect, it } from "vitest";
import { saturationRow } from "../result-rows.fixture.js";
import { latencyRow, medianRound, type PacedRound, rotate } from "./http-load.js";

const row = (contender: string, cpu: number | undefined, requestsPerSec: number) =>
  saturationRow(contender, cpu, { requestsPerSec });

describe("saturation rounds", () => {
  it.each([
    ["one round", [220], 220],
    ["three rounds, median in the middle of the run", [250, 210, 230], 230],
    ["three rounds, an outlier high", [210, 400, 220], 220],
    ["two rounds: the lower", [240, 200], 200],
  ])("reports the median round of %s, with every round in run order", (_name, cpus, median) => {
    const rows = cpus.map((cpu, i) => row("dataplane", cpu, 3000 + i));
    const reported = medianRound(rows);
    expect(reported.cpuUsPerRequest).toBe(median);
    // The whole row is that round's (its requests/s with it), not a mix of rounds.
    expect(reported.requestsPerSec).toBe(rows.find((r) => r.cpuUsPerRequest === median)?.requestsPerSec);
    expect(reported.rounds).toEqual(cpus);
    // A profile summary counts the samples of every round's load.
    expect(reported.windowsUs).toHaveLength(cpus.length);
  });

  it("ranks direct calls, which have no proxy CPU, by requests per second", () => {
    const reported = medianRound([
      row("direct", undefined, 15000),
      row("direct", undefined, 9000),
      row("direct", undefined, 16000),
    ]);
    expect(reported.requestsPerSec).toBe(15000);
    expect(reported.rounds).toEqual([15000, 9000, 16000]);
  });

  it("rotates the contenders' order from one round (and workload) to the next", () => {
    expect(rotate(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(rotate(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(rotate(["a", "b", "c"], 4)).toEqual(["b", "c", "a"]);
    expect(rotate([], 2)).toEqual([]);
  });
});

describe("latency rounds", () => {
  const run = (requests: number, p50Us: number, p99Us: number, errors = 0, cpuUs?: number): PacedRound => ({
    requests,
    durationSec: 3,
    errors,
    latencyUs: { p50: p50Us, p90: (p50Us + p99Us) / 2, p99: p99Us, max: p99Us * 2, mean: p50Us },
    cpuUsPerRequest: cpuUs,
    windowUs: [requests, requests + 3_000_000],
  });

  it("sums the requests and takes each percentile's median over the rounds on its own", () => {
    const row = latencyRow("anthropic", "dataplane", 500, [
      run(1500, 700, 9000, 1),
      run(1497, 500, 2000),
      run(1500, 600, 4000),
    ]);
    expect(row).toMatchObject({ requests: 4497, errors: 1, offeredPerSec: 500, p50Ms: 0.6, p99Ms: 4 });
    expect(row.ratePerSec).toBeCloseTo(4497 / 9);
    expect(row.roundsP50Ms).toEqual([0.7, 0.5, 0.6]);
    expect(row.roundsP99Ms).toEqual([9, 2, 4]);
    // Every round's window, for profile-summary --section latency.
    expect(row.windowsUs).toEqual([
      [1500, 3_001_500],
      [1497, 3_001_497],
      [1500, 3_001_500],
    ]);
  });

  it("gives the proxy's CPU per request as the median round's, and none for direct calls", () => {
    const rounds = [run(1500, 700, 9000, 0, 140), run(1500, 500, 2000, 0, 180), run(1500, 600, 4000, 0, 150)];
    expect(latencyRow("anthropic", "dataplane", 500, rounds).cpuUsPerRequest).toBe(150);
    expect(latencyRow("anthropic", "direct", 500, [run(1500, 70, 900)]).cpuUsPerRequest).toBeUndefined();
  });

  it("reports a single round as it ran, and of two rounds the lower", () => {
    expect(latencyRow("a", "floor", 500, [run(1500, 450, 1200)])).toMatchObject({ p50Ms: 0.45, p99Ms: 1.2 });
    expect(latencyRow("a", "floor", 500, [run(1500, 450, 1200), run(1500, 400, 1500)])).toMatchObject({
      p50Ms: 0.4,
      p99Ms: 1.2,
    });
  });

  it("refuses an empty list of rounds", () => {
    expect(() => latencyRow("a", "floor", 500, [])).toThrow(RangeError);
  });
});
