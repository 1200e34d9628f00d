import { calibrationLine } from "./calibration.js";
import { machineLine } from "./machine.js";
import { UNDRAINED } from "./measure.js";
import type { BenchResults } from "./results.js";
import { pairedMedian } from "./stats.js";
import type { TargetCheck } from "./targets.js";

// The markdown report: one table per measure, differences against direct calls and the floor computed
// from rows of the same run.

type Cell = string | number | undefined;

function fmt(value: number | undefined, digits = 2): string {
  return value === undefined || Number.isNaN(value) ? "—" : value.toFixed(digits);
}

function signed(value: number | undefined, digits = 3): string {
  if (value === undefined || Number.isNaN(value)) return "—";
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)}`;
}

export function table(header: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => (c === undefined ? "—" : String(c))).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function latencySection(r: BenchResults): string | undefined {
  if (r.latency.length === 0) return undefined;
  const base = (contender: string, workload: string) =>
    r.latency.find((row) => row.contender === contender && row.workload === workload);
  const rows = r.latency.map((row) => {
    const direct = base("direct", row.workload);
    const floor = base("floor", row.workload);
    return [
      row.workload,
      row.contender,
      fmt(row.offeredPerSec, 0),
      fmt(row.ratePerSec, 0),
      fmt(row.p50Ms, 3),
      fmt(row.p99Ms, 3),
      row.roundsP50Ms.map((p50) => fmt(p50, 3)).join(" / "),
      fmt(row.cpuUsPerRequest, 0),
      direct ? signed(row.p50Ms - direct.p50Ms) : undefined,
      direct ? signed(row.p99Ms - direct.p99Ms) : undefined,
      floor ? signed(row.p50Ms - floor.p50Ms) : undefined,
      floor ? signed(row.p99Ms - floor.p99Ms) : undefined,
      row.errors || undefined,
    ];
  });
  const short = r.latency
    .filter((row) => row.ratePerSec < 0.9 * row.offeredPerSec)
    .map((row) => `${row.workload} / ${row.contender}`);
  const warning = short.length
    ? `Under 90% of the offered rate was served (the contender saturated below it on this machine at that moment, so these are not below-saturation latencies): ${short.join(", ")}.\n\n`
    : "";
  return `## Latency at a fixed rate\n\nEach contender runs in rounds, alternating with the others; p50 and p99 are the medians of its rounds' (each on its own), and every round's p50 is listed in the order they ran. Proxy CPU is the measured process's CPU time per request at this rate (median round).\n\n${warning}${table(
    [
      "workload",
      "contender",
      "offered req/s",
      "req/s",
      "p50 ms",
      "p99 ms",
      "p50 per round",
      "proxy CPU µs/req",
      "p50 over direct",
      "p99 over direct",
      "p50 over floor",
      "p99 over floor",
      "errors",
    ],
    rows,
  )}`;
}

// The floor's CPU per request divides every saturation ratio. Its own rounds spreading this much mean
// the machine's state moved within the run by more than the margin a ratio is judged on.
const UNSTEADY_FLOOR_SPREAD = 1.3;

/** A header line naming the workloads whose floor rounds spread that much; undefined when none did. */
function unsteadyFloorLine(saturation: BenchResults["saturation"]): string | undefined {
  const unsteady = saturation.flatMap((row) => {
    if (row.contender !== "floor" || row.rounds.length < 2) return [];
    const low = Math.min(...row.rounds);
    const high = Math.max(...row.rounds);
    return high >= UNSTEADY_FLOOR_SPREAD * low ? [`${row.workload} (${low.toFixed(0)}-${high.toFixed(0)} µs)`] : [];
  });
  if (unsteady.length === 0) return undefined;
  return `The floor's own CPU per request moved by ${UNSTEADY_FLOOR_SPREAD}x or more between its saturation rounds on ${unsteady.join(", ")}: the machine's state changed within the run, so ratios to the floor there, and their verdicts, are weak evidence (the round pairs say more)`;
}

function saturationSection(r: BenchResults): string | undefined {
  if (r.saturation.length === 0) return undefined;
  const rows = r.saturation.map((row) => {
    const floor = r.saturation.find((f) => f.contender === "floor" && f.workload === row.workload)?.cpuUsPerRequest;
    const ratio = floor !== undefined && row.cpuUsPerRequest !== undefined ? row.cpuUsPerRequest / floor : undefined;
    return [
      row.workload,
      row.contender,
      fmt(row.requestsPerSec, 0),
      fmt(row.cpuUsPerRequest, 0),
      ratio === undefined ? undefined : `${ratio.toFixed(2)}x`,
      fmt(row.mainThreadCpuUsPerRequest, 0),
      fmt(row.rssPeakMb, 0),
      fmt(row.controlPlaneCpuUsPerRequest, 0),
      fmt(row.upstreamCpuUsPerRequest, 0),
      row.rounds.length > 1 ? row.rounds.map((value) => value.toFixed(0)).join(" / ") : undefined,
      errorsCell(row.errors ? String(row.errors) : undefined, row.usageDrained),
    ];
  });
  return `## Saturation (CPU of the proxy process per completed request)\n\nEach row is the contender's median round; the rounds column lists every round's figure in the order they ran. Of the process's CPU, "main thread" is its event loop's thread; the rest went to V8's garbage collection and compiler threads, libuv's pool and, on all-in-one, the control plane's thread. "Control plane" is, for a separate data plane, its control plane's process (its PostgreSQL not counted) and, for all-in-one, that thread (part of the process's CPU, PGlite included).\n\n${table(
    [
      "workload",
      "contender",
      "req/s",
      "CPU µs/req",
      "vs floor",
      "main thread µs/req",
      "RSS peak MB",
      "control plane µs/req",
      "upstream-sim µs/req",
      "rounds (CPU µs/req; req/s direct)",
      "errors",
    ],
    rows,
  )}`;
}

/**
 * This checkout's data plane against the baseline's (--baseline), round by round: on these machines one
 * contender's rounds spread by 30% and more with the machine's state, so medians taken apart hide a
 * change of a few percent that the median of the round pairs shows.
 */
function baselineSection(r: BenchResults): string | undefined {
  if (!r.contenders.includes("baseline")) return undefined;
  const rows: Cell[][] = [];
  for (const mine of r.saturation.filter((row) => row.contender === "dataplane")) {
    const theirs = r.saturation.find((row) => row.contender === "baseline" && row.workload === mine.workload);
    if (!theirs) continue;
    const { pairs, median } = pairedMedian(mine.rounds, theirs.rounds, (a, b) => a / b);
    rows.push([
      mine.workload,
      "CPU µs/req at saturation",
      fmt(mine.cpuUsPerRequest, 0),
      fmt(theirs.cpuUsPerRequest, 0),
      `${fmt(median, 3)}x`,
      pairs.map((pair) => pair.toFixed(2)).join(" / "),
    ]);
  }
  for (const mine of r.latency.filter((row) => row.contender === "dataplane")) {
    const theirs = r.latency.find((row) => row.contender === "baseline" && row.workload === mine.workload);
    if (!theirs) continue;
    const { pairs, median } = pairedMedian(mine.roundsP50Ms, theirs.roundsP50Ms, (a, b) => a - b);
    rows.push([
      mine.workload,
      "p50 ms at a fixed rate",
      fmt(mine.p50Ms, 3),
      fmt(theirs.p50Ms, 3),
      signed(median),
      pairs.map((pair) => signed(pair)).join(" / "),
    ]);
  }
  if (rows.length === 0) return undefined;
  return `## This checkout against the baseline\n\nEach data plane's round against the baseline's of the same pass over the contenders, then the median of those pairs: the comparison to read for a change, since both rounds of a pair ran at the same moment of the machine. Two data planes of the same code came out 0.98x to 1.01x in CPU this way over eight rounds on the 2-core VMs this was built on: a smaller change is not a result.\n\n${table(
    ["workload", "measure", "this checkout (median)", "baseline (median)", "paired median", "pairs, in round order"],
    rows,
  )}`;
}

/** A row's errors, else a contender whose usage was still not applied when the bench moved on. */
function errorsCell(errors: string | undefined, usageDrained: boolean): string | undefined {
  return errors ?? (usageDrained ? undefined : UNDRAINED);
}

function slowStreamSection(r: BenchResults): string | undefined {
  if (r.slowStreams.length === 0) return undefined;
  const direct = r.slowStreams.find((row) => row.contender === "direct");
  const overDirect = (value: number, base: number | undefined) =>
    base === undefined ? undefined : signed(value - base, 2);
  const withCount = (value: number, count: number) => (count > 0 ? `${fmt(value)} (${count})` : undefined);
  const streams = r.slowStreams.map((row) => [
    row.contender,
    `${row.completed}/${row.streams}`,
    row.peakOpen,
    row.rssPeakMb === undefined ? undefined : `${fmt(row.rssBeforeMb, 0)} -> ${fmt(row.rssPeakMb, 0)}`,
    fmt(row.cpuMs, 0),
    fmt(row.firstByteP50Ms),
    fmt(row.firstByteP99Ms),
    overDirect(row.firstByteP99Ms, direct?.firstByteP99Ms),
    errorsCell(row.failed ? row.firstErrors.join("; ") : undefined, row.usageDrained),
  ]);
  const chunks = r.slowStreams.map((row) => [
    row.contender,
    fmt(row.chunkDelayP50Ms),
    withCount(row.chunkDelayP99Ms, row.stampedChunks),
    overDirect(row.chunkDelayP99Ms, direct?.chunkDelayP99Ms),
    withCount(row.allOpenChunkDelayP99Ms, row.allOpenStampedChunks),
    row.roundsAllOpenChunkDelayP99Ms.map((ms) => fmt(ms)).join(" / "),
    fmt(row.chunkGapExcessP50Ms),
    withCount(row.chunkGapExcessP99Ms, row.chunks),
    overDirect(row.chunkGapExcessP99Ms, direct?.chunkGapExcessP99Ms),
    withCount(row.allOpenGapExcessP99Ms, row.allOpenChunks),
  ]);
  return `## Concurrent slow streams\n\nEach row is the contender's median round by its chunk delay p99 with all streams open (every round's is listed in the order they ran); its RSS, before the streams and at their peak, is that of the round that peaked highest.\n\n${table(
    [
      "contender",
      "complete",
      "peak open",
      "RSS MB",
      "CPU ms",
      "first byte p50 ms",
      "first byte p99 ms",
      "p99 over direct",
      "errors",
    ],
    streams,
  )}\n\nChunk delay: each chunk's arrival minus the time the upstream stamped on it when it wrote it (upstream-sim --stamp-chunks, on the machine's monotonic clock); over direct, it is the time the proxy held the chunk. Gap excess: each gap between consecutive chunks minus the upstream's pause, which also counts the upstream's own timer running late (more so while a proxy takes CPU from it). Each p99 gives in brackets how many stamped chunks, or gaps, it is taken over. "All open" counts only the chunks sent, or gaps begun, once every stream had its first byte: forwarding with all the streams open, without the queueing while they are being opened.\n\n${table(
    [
      "contender",
      "chunk delay p50 ms",
      "chunk delay p99 ms",
      "p99 over direct",
      "all open: delay p99 ms",
      "all open: delay p99 per round",
      "gap excess p50 ms",
      "gap excess p99 ms",
      "p99 over direct",
      "all open: gap excess p99 ms",
    ],
    chunks,
  )}`;
}

function otherSections(r: BenchResults): string[] {
  const out: string[] = [];
  const s = r.sessionIdentity;
  if (s) {
    out.push(
      `## Session identity on the ${(s.bodyBytes / 1024).toFixed(1)} KB Claude Code request (in process)\n\n${table(
        ["path", "µs per request"],
        [
          ["explicit id (Claude Code's session header)", fmt(s.explicitUs, 2)],
          [`digest chain (no id; system + ${s.turns} turns hashed)`, fmt(s.digestUs, 1)],
          ["for scale: the data plane's parse of the same body (json-body.ts)", fmt(s.bodyParseUs, 1)],
          ["for scale: JSON.parse of the body's UTF-8 text", fmt(s.jsonParseUs, 1)],
        ],
      )}`,
    );
  }
  if (r.usageIngest.length > 0) {
    out.push(
      `## Usage ingest into PostgreSQL (ReportUsage over h2c, batches of ${r.usageIngest[0]?.batchSize})\n\n${table(
        ["streams", "records/s", "applied", "batches", "rows in database"],
        r.usageIngest.map((row) => [
          row.streams,
          fmt(row.recordsPerSec, 0),
          row.applied,
          row.batches,
          row.rowsInDatabase,
        ]),
      )}`,
    );
  }
  const stats = r.usageStats;
  if (stats) {
    const seeded =
      stats.seededMs === undefined ? "reused from an earlier run" : `seeded in ${fmt(stats.seededMs / 1000, 1)} s`;
    out.push(
      `## GetUsageStats over ${stats.rows} usage logs (${stats.database}, ${seeded})\n\n${table(
        ["query", "buckets", "median ms", "max ms"],
        stats.timings.map((t) => [t.name, t.buckets, fmt(t.medianMs, 1), fmt(t.maxMs, 1)]),
      )}`,
    );
  }
  const p = r.propagation;
  if (p) {
    out.push(
      `## Config propagation (2 control-plane replicas, 2 data planes, ${p.keys} keys)\n\n${table(
        [
          "changes",
          "samples",
          "timeouts",
          "p50 ms",
          "p99 ms",
          "max ms",
          "p50 from send ms",
          "p99 from send ms",
          "initial sync ms",
          "keys created/s",
        ],
        [
          [
            p.changes,
            p.samples,
            p.timeouts,
            fmt(p.afterAckP50Ms),
            fmt(p.afterAckP99Ms),
            fmt(p.afterAckMaxMs),
            fmt(p.afterSendP50Ms),
            fmt(p.afterSendP99Ms),
            fmt(p.initialSyncMs, 0),
            fmt(p.keysCreatedPerSec, 0),
          ],
        ],
      )}`,
    );
  }
  return out;
}

function targetSection(checks: readonly TargetCheck[]): string | undefined {
  if (checks.length === 0) return undefined;
  const rows = checks.map((c) => [
    c.target,
    c.subject,
    c.value === undefined
      ? undefined
      : `${fmt(c.value, c.unit === "records/s" ? 0 : c.unit === "x" ? 2 : 3)} ${c.unit}`,
    c.limit === undefined ? undefined : `${c.unit === "records/s" ? ">=" : "<="} ${c.limit} ${c.unit}`,
    c.verdict.toUpperCase(),
    c.roundPairs ? `${c.roundPairs.within} of ${c.roundPairs.of}` : undefined,
  ]);
  return `## Targets\n\nA result is on the median rounds; "round pairs within" counts the rounds that were within the limit against the floor's round of the same index (the same pass over the contenders).\n\n${table(["target", "subject", "measured", "limit", "result", "round pairs within"], rows)}`;
}

export function renderReport(r: BenchResults, checks: readonly TargetCheck[]): string {
  const notes = [
    `Machine: ${machineLine(r.machine)}`,
    ...[calibrationLine(r.calibration.start, r.calibration.end), unsteadyFloorLine(r.saturation)].filter(
      (line) => line !== undefined,
    ),
    `Command: \`${r.command}\`${r.code ? ` on ${r.code}` : ""}, ${r.startedAt} to ${r.finishedAt}`,
    `Contenders: ${r.contenders.join(", ") || "none"}`,
    ...(r.baseline
      ? [`Baseline: the data plane of ${r.baseline.dir}${r.baseline.code ? ` on ${r.baseline.code}` : ""}`]
      : []),
    ...(r.contenders.length > 0 ? [`CPU pinning: ${r.pinning ?? "none (the scheduler placed every process)"}`] : []),
    ...r.pending.map((p) => `Not measured: ${p.name}: ${p.reason}`),
    ...r.sectionErrors.map((e) => `Section ${e.section} FAILED: ${e.error.split("\n")[0]}`),
    ...r.failures.map((f) => `Failed: ${f.workload} / ${f.contender}: ${f.error}`),
    ...(r.quick ? ["Quick run: durations too short for the targets to mean much."] : []),
    ...(r.cpuProfiled ? ["Tollgate's processes ran under --cpu-prof: their CPU numbers include the profiler."] : []),
    ...(r.nodeFlags.length > 0
      ? [`The measured processes ran with \`${r.nodeFlags.join(" ")}\`: their figures include what those flags cost.`]
      : []),
  ];
  const sections = [
    latencySection(r),
    saturationSection(r),
    baselineSection(r),
    slowStreamSection(r),
    ...otherSections(r),
    targetSection(checks),
  ].filter((s): s is string => s !== undefined);
  return `# Tollgate benchmark\n\n${notes.map((n) => `- ${n}`).join("\n")}\n\n${sections.join("\n\n")}\n`;
}
