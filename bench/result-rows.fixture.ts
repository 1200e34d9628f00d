import { type BenchResults, emptyResults } from "./results.js";
import type { LatencyRow, SaturationRow } from "./sections/http-load.js";
import type { SlowStreamRow } from "./sections/slow-streams.js";

// Result rows for the bench's table tests (targets, report, rounds): every field set to something
// plausible, the fields a test is about given by the caller.

export function benchResults(overrides: Partial<BenchResults>): BenchResults {
  return {
    ...emptyResults({
      startedAt: "t0",
      machine: { cpuModel: "Xeon", cores: 2, memoryGiB: 24, node: "v20.20.2", kernel: "6.1", loadAverage: 0.5 },
      command: "npm run bench --",
      code: "0123456789ab",
      baseline: undefined,
      quick: false,
      cpuProfiled: false,
      nodeFlags: [],
      sections: [],
    }),
    contenders: ["direct", "floor", "all-in-one", "dataplane"],
    ...overrides,
  };
}

export const saturationRow = (
  contender: string,
  cpuUsPerRequest: number | undefined,
  overrides: Partial<SaturationRow> = {},
): SaturationRow => ({
  workload: "anthropic",
  contender,
  completed: 1000,
  errors: 0,
  requestsPerSec: 1000,
  cpuUsPerRequest,
  mainThreadCpuUsPerRequest: undefined,
  controlPlaneCpuUsPerRequest: undefined,
  upstreamCpuUsPerRequest: 50,
  rssPeakMb: 100,
  usageDrained: true,
  windowsUs: [[0, 1]],
  rounds: cpuUsPerRequest === undefined ? [] : [cpuUsPerRequest],
  ...overrides,
});

export const latencyRow = (
  contender: string,
  p50Ms: number,
  p99Ms: number,
  overrides: Partial<LatencyRow> = {},
): LatencyRow => ({
  workload: "anthropic",
  contender,
  requests: 3000,
  errors: 0,
  offeredPerSec: 500,
  ratePerSec: 500,
  p50Ms,
  p90Ms: p99Ms,
  p99Ms,
  roundsP50Ms: [p50Ms],
  roundsP99Ms: [p99Ms],
  cpuUsPerRequest: undefined,
  windowsUs: [],
  ...overrides,
});

export const slowStreamRow = (contender: string, overrides: Partial<SlowStreamRow> = {}): SlowStreamRow => ({
  contender,
  streams: 1000,
  completed: 1000,
  failed: 0,
  firstErrors: [],
  peakOpen: 1000,
  rssBeforeMb: 50,
  rssPeakMb: 200,
  cpuMs: 4000,
  firstByteP50Ms: 1,
  firstByteP99Ms: 2,
  chunkGapExcessP50Ms: 0.1,
  // Gaps also count the upstream's timer lateness: never a verdict, so far off here.
  chunkGapExcessP99Ms: 40,
  chunkGapExcessMaxMs: 40,
  allOpenGapExcessP99Ms: 40,
  allOpenChunks: 10_000,
  chunks: 30_000,
  chunkDelayP50Ms: 0.1,
  chunkDelayP99Ms: 1,
  allOpenChunkDelayP99Ms: 1,
  allOpenStampedChunks: 10_000,
  stampedChunks: 30_000,
  usageDrained: true,
  roundsAllOpenChunkDelayP99Ms: [overrides.allOpenChunkDelayP99Ms ?? 1],
  ...overrides,
});
