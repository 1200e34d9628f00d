import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { childEnv, REPO_ROOT, tsArgs } from "../child.js";
import type { Contender, SlowStreamSettings } from "../contenders.js";
import { sampleRss, settle, UNDRAINED } from "../measure.js";
import { processCpuMicros, processRssBytes } from "../proc.js";
import { medianBy } from "../stats.js";
import type { StreamClientResult, StreamClientSpec } from "../stream-client.js";
import { authHeaders, type Workload } from "../workloads.js";
import { rotate } from "./http-load.js";

// Many long streams at once against an upstream that trickles chunks (its own process, started with
// --chunks/--chunk-delay-ms because the gateway forwards no x-sim-* headers, and --stamp-chunks): what
// each open stream costs in memory, and how late the proxy delivers each chunk compared to direct calls.
// In rounds, each round every contender once in a rotating order, and each contender's median round
// by its delay with every stream open is reported (the peak RSS is its highest over the rounds): on
// two cores the same code's delay moved from +5 to +105 ms between runs an hour apart. Every run
// ends with its contender settled (usage applied, processes idle), as saturation's do: unpinned, the
// work its 1,000 usage records leave would otherwise fall on the next contender's streams.

export interface SlowStreamsSettings extends SlowStreamSettings {
  streams: number;
  rampMs: number;
  rounds: number;
}

export interface SlowStreamRow {
  contender: string;
  streams: number;
  completed: number;
  failed: number;
  firstErrors: string[];
  peakOpen: number;
  rssBeforeMb: number | undefined;
  rssPeakMb: number | undefined;
  /** The measured process's CPU time over the whole section: what forwarding every stream cost it. */
  cpuMs: number | undefined;
  firstByteP50Ms: number;
  firstByteP99Ms: number;
  chunkGapExcessP50Ms: number;
  chunkGapExcessP99Ms: number;
  chunkGapExcessMaxMs: number;
  /** Gaps that began once every stream was open (NaN when no stream was still going by then). */
  allOpenGapExcessP99Ms: number;
  allOpenChunks: number;
  chunks: number;
  /** Each chunk's arrival minus its send time at the upstream (its stamp). */
  chunkDelayP50Ms: number;
  chunkDelayP99Ms: number;
  /** Chunks sent once every stream was open. */
  allOpenChunkDelayP99Ms: number;
  allOpenStampedChunks: number;
  stampedChunks: number;
  /** Every round's chunk delay p99 with all streams open, in the order they ran. */
  roundsAllOpenChunkDelayP99Ms: number[];
  /** The contender's usage was applied after each round, before the next contender ran (false: it timed out). */
  usageDrained: boolean;
}

export async function runSlowStreams(
  contenders: readonly Contender[],
  workload: Workload,
  settings: SlowStreamsSettings,
  workDir: string,
  log: (line: string) => void,
): Promise<SlowStreamRow[]> {
  const measured = contenders.filter((contender) => contender.slowUrl);
  const runs = new Map<string, SlowStreamRow[]>(measured.map((contender) => [contender.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const contender of rotate(measured, round)) {
      const row = await measure(contender, workload, settings, workDir, round === 0, log);
      runs.get(contender.name)?.push(row);
      log(
        `  slow streams / ${describe(row)}${settings.rounds > 1 ? ` (round ${round + 1} of ${settings.rounds})` : ""}`,
      );
    }
  }
  return [...runs.values()].map(medianSlowRound);
}

/**
 * The round with the median chunk delay with every stream open, with every round's delay, and the RSS
 * (before and peak) of the round that peaked highest: both from one round, so their difference is what
 * that round's streams added.
 */
export function medianSlowRound(rounds: readonly SlowStreamRow[]): SlowStreamRow {
  // A round with no chunk sent once all were open (NaN) sorts last: it says nothing about that delay.
  const figure = (row: SlowStreamRow) =>
    Number.isNaN(row.allOpenChunkDelayP99Ms) ? Infinity : row.allOpenChunkDelayP99Ms;
  const median = medianBy(rounds, figure);
  let highest: SlowStreamRow | undefined;
  for (const row of rounds) {
    if (row.rssPeakMb !== undefined && row.rssPeakMb > (highest?.rssPeakMb ?? -Infinity)) highest = row;
  }
  return {
    ...median,
    rssBeforeMb: highest?.rssBeforeMb,
    rssPeakMb: highest?.rssPeakMb,
    roundsAllOpenChunkDelayP99Ms: rounds.map((row) => row.allOpenChunkDelayP99Ms),
    usageDrained: rounds.every((row) => row.usageDrained),
  };
}

async function measure(
  contender: Contender,
  workload: Workload,
  settings: SlowStreamsSettings,
  workDir: string,
  warmUp: boolean,
  log: (line: string) => void,
): Promise<SlowStreamRow> {
  const spec: StreamClientSpec = {
    url: `${contender.slowUrl}${workload.path}`,
    headers: { ...workload.headers, ...authHeaders(workload.protocol, contender.secret("slow")) },
    body: workload.body.toString("utf8"),
    streams: settings.streams,
    rampMs: settings.rampMs,
    chunkDelayMs: settings.chunkDelayMs,
    timeoutMs: settings.rampMs + settings.chunks * settings.chunkDelayMs + 30_000,
    completeMarker: workload.completeMarker,
  };
  const run = (name: string, runSpec: StreamClientSpec) => {
    const file = join(workDir, `${name}.json`);
    writeFileSync(file, JSON.stringify(runSpec));
    return streamClient(file, runSpec.timeoutMs + 30_000);
  };
  // The slow-stream floor is a process of its own that no other section warms: every contender
  // first carries a fifth of the streams, so the measured runs compare compiled code, not the JIT.
  if (warmUp) {
    const warm = await run(`streams-${contender.name}-warm-up`, {
      ...spec,
      streams: Math.max(1, Math.round(settings.streams / 5)),
      rampMs: Math.round(settings.rampMs / 5),
    });
    if (warm.failed > 0)
      log(`  slow streams / ${contender.name}: warm-up had ${warm.failed} failed: ${warm.firstErrors.join("; ")}`);
    await settleContender(contender);
  }
  const pid = contender.slowPid;
  const rssBefore = pid === undefined ? undefined : processRssBytes(pid);
  const rss = pid === undefined ? undefined : sampleRss(pid);
  const cpuBefore = pid === undefined ? undefined : processCpuMicros(pid);
  const result = await run(`streams-${contender.name}`, spec);
  const cpuMs = pid === undefined || cpuBefore === undefined ? undefined : (processCpuMicros(pid) - cpuBefore) / 1000;
  const rssPeak = rss?.stop();
  const usageDrained = await settleContender(contender);
  const row: SlowStreamRow = {
    contender: contender.name,
    streams: result.started,
    completed: result.completed,
    failed: result.failed,
    firstErrors: result.firstErrors,
    peakOpen: result.peakOpen,
    rssBeforeMb: rssBefore === undefined ? undefined : rssBefore / 2 ** 20,
    rssPeakMb: rssPeak === undefined ? undefined : rssPeak / 2 ** 20,
    cpuMs,
    firstByteP50Ms: result.firstByteMs.p50,
    firstByteP99Ms: result.firstByteMs.p99,
    chunkGapExcessP50Ms: result.chunkGapExcessMs.p50,
    chunkGapExcessP99Ms: result.chunkGapExcessMs.p99,
    chunkGapExcessMaxMs: result.chunkGapExcessMs.max,
    allOpenGapExcessP99Ms: result.chunkGapExcessAllOpenMs.p99,
    allOpenChunks: result.chunkGapExcessAllOpenMs.count,
    chunks: result.chunks,
    chunkDelayP50Ms: result.chunkDelayMs.p50,
    chunkDelayP99Ms: result.chunkDelayMs.p99,
    allOpenChunkDelayP99Ms: result.chunkDelayAllOpenMs.p99,
    allOpenStampedChunks: result.chunkDelayAllOpenMs.count,
    stampedChunks: result.chunkDelayMs.count,
    roundsAllOpenChunkDelayP99Ms: [result.chunkDelayAllOpenMs.p99],
    usageDrained,
  };
  return row;
}

function settleContender(contender: Contender): Promise<boolean> {
  const pids = [contender.slowPid, contender.controlPlanePid].filter((pid) => pid !== undefined);
  return settle(pids, () => contender.usageBacklog());
}

function describe(row: SlowStreamRow): string {
  const rssText =
    row.rssPeakMb === undefined ? "" : `, RSS ${row.rssBeforeMb?.toFixed(0)} -> ${row.rssPeakMb.toFixed(0)} MB`;
  const cpuText = row.cpuMs === undefined ? "" : `, CPU ${row.cpuMs.toFixed(0)} ms`;
  return `${row.contender}: ${row.completed}/${row.streams} complete (peak ${row.peakOpen} open)${rssText}${cpuText}, first byte p99 ${row.firstByteP99Ms.toFixed(1)} ms, chunk delay p99 ${row.chunkDelayP99Ms.toFixed(2)} ms (all open ${row.allOpenChunkDelayP99Ms.toFixed(2)}), chunk gap excess p99 ${row.chunkGapExcessP99Ms.toFixed(2)} ms${row.failed ? `, ${row.failed} failed: ${row.firstErrors.join("; ")}` : ""}${row.usageDrained ? "" : `, ${UNDRAINED}`}`;
}

function streamClient(specFile: string, timeoutMs: number): Promise<StreamClientResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      tsArgs("bench/stream-client.ts", [specFile]),
      { cwd: REPO_ROOT, env: childEnv({}), timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`stream client failed: ${error.message}\n${stderr}`));
        // JSON carries a percentile of no samples (NaN) as null.
        else
          resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "", (_k, v) => v ?? Number.NaN) as StreamClientResult);
      },
    );
  });
}
