import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { childEnv, REPO_ROOT, tsArgs } from "../child.js";
import type { Contender, SlowStreamSettings } from "../contenders.js";
import { sampleRss } from "../measure.js";
import { processCpuMicros, processRssBytes } from "../proc.js";
import type { StreamClientResult, StreamClientSpec } from "../stream-client.js";
import { authHeaders, type Workload } from "../workloads.js";

// Many long streams at once against an upstream that trickles chunks (its own process, started with
// --chunks/--chunk-delay-ms because the gateway forwards no x-sim-* headers, and --stamp-chunks): what
// each open stream costs in memory, and how late the proxy delivers each chunk compared to direct calls.

export interface SlowStreamsSettings extends SlowStreamSettings {
  streams: number;
  rampMs: number;
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
}

export async function runSlowStreams(
  contenders: readonly Contender[],
  workload: Workload,
  settings: SlowStreamsSettings,
  workDir: string,
  log: (line: string) => void,
): Promise<SlowStreamRow[]> {
  const rows: SlowStreamRow[] = [];
  for (const contender of contenders) {
    if (!contender.slowUrl) continue;
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
    // first carries a fifth of the streams, so the measured run compares compiled code, not the JIT.
    const warmStreams = Math.max(1, Math.round(settings.streams / 5));
    const warm = await run(`streams-${contender.name}-warm-up`, {
      ...spec,
      streams: warmStreams,
      rampMs: Math.round(settings.rampMs / 5),
    });
    if (warm.failed > 0)
      log(`  slow streams / ${contender.name}: warm-up had ${warm.failed} failed: ${warm.firstErrors.join("; ")}`);
    const pid = contender.slowPid;
    const rssBefore = pid === undefined ? undefined : processRssBytes(pid);
    const rss = pid === undefined ? undefined : sampleRss(pid);
    const cpuBefore = pid === undefined ? undefined : processCpuMicros(pid);
    const result = await run(`streams-${contender.name}`, spec);
    const cpuMs = pid === undefined || cpuBefore === undefined ? undefined : (processCpuMicros(pid) - cpuBefore) / 1000;
    const rssPeak = rss?.stop();
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
    };
    rows.push(row);
    const rssText =
      row.rssPeakMb === undefined ? "" : `, RSS ${row.rssBeforeMb?.toFixed(0)} -> ${row.rssPeakMb.toFixed(0)} MB`;
    const cpuText = cpuMs === undefined ? "" : `, CPU ${cpuMs.toFixed(0)} ms`;
    log(
      `  slow streams / ${contender.name}: ${row.completed}/${row.streams} complete (peak ${row.peakOpen} open)${rssText}${cpuText}, first byte p99 ${row.firstByteP99Ms.toFixed(1)} ms, chunk delay p99 ${row.chunkDelayP99Ms.toFixed(2)} ms, chunk gap excess p99 ${row.chunkGapExcessP99Ms.toFixed(2)} ms${row.failed ? `, ${row.failed} failed: ${row.firstErrors.join("; ")}` : ""}`,
    );
  }
  return rows;
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
