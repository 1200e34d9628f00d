import type { Calibration } from "./calibration.js";
import type { Pending } from "./contenders.js";
import type { Machine } from "./machine.js";
import type { FailedCell, LatencyRow, SaturationRow } from "./sections/http-load.js";
import type { PropagationResult } from "./sections/propagation.js";
import type { SessionIdentityResult } from "./sections/session-identity.js";
import type { SlowStreamRow } from "./sections/slow-streams.js";
import type { IngestRow } from "./sections/usage-ingest.js";
import type { UsageStatsResult } from "./sections/usage-stats.js";

// Everything one run measured: written as JSON, rendered as markdown, checked against the targets.

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** The machine's speed at the run's start and end (calibration.ts). */
  calibration: { start: Calibration | undefined; end: Calibration | undefined };
  command: string;
  /** The commit measured (code-version.ts); undefined when it could not be read. */
  code: string | undefined;
  /** The checkout run as contender "baseline" (--baseline), and its commit. */
  baseline: { dir: string; code: string | undefined } | undefined;
  quick: boolean;
  /** Profiled runs inflate the data plane's CPU: their numbers are not target measurements. */
  cpuProfiled: boolean;
  /** Extra node flags the measured processes ran with (--node-flags): a tracing flag slows them too. */
  nodeFlags: string[];
  sections: string[];
  /** Where the proxies and their load ran (cpu-pinning.ts); undefined when nothing was pinned. */
  pinning: string | undefined;
  contenders: string[];
  pending: Pending[];
  latency: LatencyRow[];
  saturation: SaturationRow[];
  failures: FailedCell[];
  slowStreams: SlowStreamRow[];
  sessionIdentity: SessionIdentityResult | undefined;
  usageIngest: IngestRow[];
  usageStats: UsageStatsResult | undefined;
  propagation: PropagationResult | undefined;
  /** Sections that could not run to the end, and why. */
  sectionErrors: Array<{ section: string; error: string }>;
}

type RunHead = Pick<
  BenchResults,
  "startedAt" | "machine" | "command" | "code" | "baseline" | "quick" | "cpuProfiled" | "nodeFlags" | "sections"
>;

/** A run that has measured nothing yet. */
export function emptyResults(head: RunHead): BenchResults {
  return {
    ...head,
    finishedAt: "",
    calibration: { start: undefined, end: undefined },
    pinning: undefined,
    contenders: [],
    pending: [],
    latency: [],
    saturation: [],
    failures: [],
    slowStreams: [],
    sessionIdentity: undefined,
    usageIngest: [],
    usageStats: undefined,
    propagation: undefined,
    sectionErrors: [],
  };
}
