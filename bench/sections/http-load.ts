import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Contender } from "../contenders.js";
import { probe } from "../http-probe.js";
import { sampleRss, settle, UNDRAINED } from "../measure.js";
import { mainThreadCpuMicros, processCpuMicros } from "../proc.js";
import { median, medianBy } from "../stats.js";
import { authHeaders, type Workload } from "../workloads.js";
import { runWrk, type WrkResult, type WrkRun } from "../wrk.js";

// Latency at a fixed rate well below saturation, and throughput and cost at saturation, for every
// workload. Contenders alternate within each workload (in a rotating order), so drift on the machine
// spreads over all of them instead of favouring whoever ran first. Both measures run in rounds, each
// round every contender once in its own rotation, and report each contender's median round: on a
// shared 2-core VM one run's CPU per request moves by a third from one minute to the next, and the
// direct calls' p50 latency doubled within twenty minutes.

export interface HttpLoadSettings {
  latency: boolean;
  saturation: boolean;
  /** Load before a contender's first workload: a process just started is still being optimised. */
  firstWarmupSec: number;
  /** Load before each later workload. */
  warmupSec: number;
  /** One paced run's length; each contender runs `latencyRounds` of them, alternating. */
  latencySec: number;
  latencyRounds: number;
  saturationSec: number;
  /** Saturation runs per contender and workload, alternating; the median one is reported. */
  saturationRounds: number;
  /** The fixed rate, sent over `pacedConnections` connections (bench/wrk.ts paces it). */
  rate: number;
  /**
   * The fixed rate for the 76 KB request: upstream-sim alone spends about 3 ms of CPU on each, so 500
   * a second is past saturation on two cores and its latency would be the machine's queue.
   */
  largeRate: number;
  pacedConnections: number;
  saturationConnections: number;
}

export interface LatencyRow {
  workload: string;
  contender: string;
  requests: number;
  errors: number;
  offeredPerSec: number;
  ratePerSec: number;
  /** Medians over the rounds (each percentile on its own). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Every round's p50 and p99, in the order they ran. */
  roundsP50Ms: number[];
  roundsP99Ms: number[];
  /**
   * The proxy's CPU per request at this rate (median of the rounds; none for direct calls): what the
   * p50 over the floor is set against, since at a fixed rate a request's path is rarely shared.
   */
  cpuUsPerRequest: number | undefined;
  /** When each round ran, in CLOCK_MONOTONIC µs (the clock of --cpu-prof profiles): profile-summary --section latency. */
  windowsUs: Array<[number, number]>;
}

/** One paced round, with the proxy process's CPU time per completed request over it and when it ran. */
export type PacedRound = WrkResult & { cpuUsPerRequest: number | undefined; windowUs: [number, number] };

export interface SaturationRow {
  workload: string;
  contender: string;
  completed: number;
  errors: number;
  requestsPerSec: number;
  /** CPU of the proxy process per completed request (none for direct calls). */
  cpuUsPerRequest: number | undefined;
  /** The part of it spent on the process's main thread (proc.ts: mainThreadCpuMicros). */
  mainThreadCpuUsPerRequest: number | undefined;
  /** The separate control plane's CPU per request (the data plane alone only). */
  controlPlaneCpuUsPerRequest: number | undefined;
  upstreamCpuUsPerRequest: number;
  rssPeakMb: number | undefined;
  /** False when usage records were still unacked at the end of the settle wait. */
  usageDrained: boolean;
  /** When the load of each round ran, in CLOCK_MONOTONIC µs (the clock of --cpu-prof profiles): profile-summary --results. */
  windowsUs: Array<[number, number]>;
  /** Every round's CPU per request (requests/s for direct calls), in the order they ran. */
  rounds: number[];
}

export interface FailedCell {
  workload: string;
  contender: string;
  error: string;
}

export interface HttpLoadResult {
  latency: LatencyRow[];
  saturation: SaturationRow[];
  failures: FailedCell[];
}

export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export async function runHttpLoad(
  contenders: readonly Contender[],
  workloads: readonly Workload[],
  upstreamPid: number,
  settings: HttpLoadSettings,
  workDir: string,
  log: (line: string) => void,
): Promise<HttpLoadResult> {
  const result: HttpLoadResult = { latency: [], saturation: [], failures: [] };
  const warmed = new Set<Contender>();
  for (const [index, workload] of workloads.entries()) {
    const bodyFile = join(workDir, `body-${workload.name}.json`);
    writeFileSync(bodyFile, workload.body);
    const runFor = (contender: Contender, connections: number, durationSec: number, ratePerSec?: number): WrkRun => ({
      url: `${contender.url}${workload.path}`,
      method: "POST",
      headers: { ...workload.headers, ...authHeaders(workload.protocol, contender.secret(workload.protocol)) },
      bodyFile,
      connections,
      durationSec,
      ratePerSec,
      newSessions: workload.sessionHeader ? { header: workload.sessionHeader, prefix: randomUUID() } : undefined,
    });
    const order = rotate(contenders, index);
    const healthy: Contender[] = [];
    for (const contender of order) {
      const problem = await verify(contender, workload);
      if (problem) {
        result.failures.push({ workload: workload.name, contender: contender.name, error: problem });
        log(`  ${workload.name} / ${contender.name}: FAILED verification: ${problem}`);
        continue;
      }
      healthy.push(contender);
      await runWrk(runFor(contender, 8, warmed.has(contender) ? settings.warmupSec : settings.firstWarmupSec), workDir);
      warmed.add(contender);
    }
    if (settings.latency) {
      const offeredPerSec = workload.large ? settings.largeRate : settings.rate;
      const paced = new Map<Contender, PacedRound[]>(healthy.map((contender) => [contender, []]));
      for (let round = 0; round < settings.latencyRounds; round++) {
        for (const contender of rotate(healthy, round)) {
          const pid = contender.pid;
          const before = pid === undefined ? 0 : processCpuMicros(pid);
          const start = monotonicMicros();
          const run = await runWrk(
            runFor(contender, settings.pacedConnections, settings.latencySec, offeredPerSec),
            workDir,
          );
          const windowUs: [number, number] = [start, monotonicMicros()];
          const completed = Math.max(1, run.requests - run.errors);
          const cpuUsPerRequest = pid === undefined ? undefined : (processCpuMicros(pid) - before) / completed;
          paced.get(contender)?.push({ ...run, cpuUsPerRequest, windowUs });
          const of = settings.latencyRounds > 1 ? ` (round ${round + 1} of ${settings.latencyRounds})` : "";
          log(
            `  ${workload.name} / ${contender.name}: ${(run.requests / run.durationSec).toFixed(0)} req/s paced, p50 ${(run.latencyUs.p50 / 1000).toFixed(3)} ms, p99 ${(run.latencyUs.p99 / 1000).toFixed(3)} ms${run.errors ? `, ${run.errors} errors` : ""}${of}`,
          );
        }
      }
      for (const [contender, runs] of paced) {
        result.latency.push(latencyRow(workload.name, contender.name, offeredPerSec, runs));
      }
    }
    if (!settings.saturation) continue;
    const runs = new Map<Contender, Array<Omit<SaturationRow, "rounds">>>(healthy.map((contender) => [contender, []]));
    for (let round = 0; round < settings.saturationRounds; round++) {
      for (const contender of rotate(healthy, round)) {
        const row = await saturate(contender, workload, upstreamPid, () =>
          runWrk(runFor(contender, settings.saturationConnections, settings.saturationSec), workDir),
        );
        runs.get(contender)?.push(row);
        const cpu = row.cpuUsPerRequest === undefined ? "" : `, ${row.cpuUsPerRequest.toFixed(0)} µs CPU/req`;
        const rss = row.rssPeakMb === undefined ? "" : `, RSS ${row.rssPeakMb.toFixed(0)} MB`;
        const of = settings.saturationRounds > 1 ? ` (round ${round + 1} of ${settings.saturationRounds})` : "";
        log(
          `  ${workload.name} / ${contender.name}: ${row.requestsPerSec.toFixed(0)} req/s saturated${cpu}${rss}${row.errors ? `, ${row.errors} errors` : ""}${row.usageDrained ? "" : `, ${UNDRAINED}`}${of}`,
        );
      }
    }
    for (const rows of runs.values()) result.saturation.push(medianRound(rows));
  }
  return result;
}

/** A contender's paced rounds as one row: requests summed, each percentile the median of the rounds'. */
export function latencyRow(
  workload: string,
  contender: string,
  offeredPerSec: number,
  runs: readonly PacedRound[],
): LatencyRow {
  if (runs.length === 0) throw new RangeError("latencyRow needs at least one round");
  const ms = (pick: (run: WrkResult) => number) => median(runs.map(pick)) / 1000;
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  return {
    workload,
    contender,
    requests,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    offeredPerSec,
    ratePerSec: requests / runs.reduce((sum, run) => sum + run.durationSec, 0),
    p50Ms: ms((run) => run.latencyUs.p50),
    p90Ms: ms((run) => run.latencyUs.p90),
    p99Ms: ms((run) => run.latencyUs.p99),
    roundsP50Ms: runs.map((run) => run.latencyUs.p50 / 1000),
    roundsP99Ms: runs.map((run) => run.latencyUs.p99 / 1000),
    cpuUsPerRequest: runs.some((run) => run.cpuUsPerRequest === undefined)
      ? undefined
      : median(runs.map((run) => run.cpuUsPerRequest as number)),
    windowsUs: runs.map((run) => run.windowUs),
  };
}

/** The round with the median CPU per request (requests/s for direct calls), with every round's figure and window. */
export function medianRound(rows: readonly Omit<SaturationRow, "rounds">[]): SaturationRow {
  const figure = (row: Omit<SaturationRow, "rounds">) => row.cpuUsPerRequest ?? row.requestsPerSec;
  return { ...medianBy(rows, figure), rounds: rows.map(figure), windowsUs: rows.flatMap((row) => row.windowsUs) };
}

/** One request end to end: a 200 holding the protocol's complete ending, or why not. */
async function verify(contender: Contender, workload: Workload): Promise<string | undefined> {
  try {
    const answer = await probe(`${contender.url}${workload.path}`, {
      method: "POST",
      headers: { ...workload.headers, ...authHeaders(workload.protocol, contender.secret(workload.protocol)) },
      body: workload.body,
    });
    if (answer.status !== 200) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
    if (!answer.text.includes(workload.completeMarker)) return `incomplete answer (no ${workload.completeMarker})`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function saturate(
  contender: Contender,
  workload: Workload,
  upstreamPid: number,
  load: () => ReturnType<typeof runWrk>,
): Promise<Omit<SaturationRow, "rounds">> {
  const pids = [contender.pid ?? upstreamPid, contender.controlPlanePid ?? upstreamPid, upstreamPid];
  await settle(pids, () => contender.usageBacklog());
  const before = pids.map(processCpuMicros);
  const main =
    contender.pid === undefined ? undefined : { pid: contender.pid, before: mainThreadCpuMicros(contender.pid) };
  const planeBefore = contender.controlPlaneCpuMicros();
  const rss = contender.pid === undefined ? undefined : sampleRss(contender.pid);
  const loadStart = monotonicMicros();
  const run = await load();
  const loadEnd = monotonicMicros();
  const rssPeak = rss?.stop();
  // The run's tail (usage still being reported and applied) is part of what its requests cost.
  const usageDrained = await settle(pids, () => contender.usageBacklog());
  const after = pids.map(processCpuMicros);
  const mainUs = main && mainThreadCpuMicros(main.pid) - main.before;
  const planeAfter = contender.controlPlaneCpuMicros();
  const completed = run.requests - run.errors;
  const perRequest = (i: number) => ((after[i] ?? 0) - (before[i] ?? 0)) / Math.max(1, completed);
  return {
    workload: workload.name,
    contender: contender.name,
    completed,
    errors: run.errors,
    requestsPerSec: completed / run.durationSec,
    cpuUsPerRequest: contender.pid === undefined ? undefined : perRequest(0),
    mainThreadCpuUsPerRequest: mainUs === undefined ? undefined : mainUs / Math.max(1, completed),
    controlPlaneCpuUsPerRequest:
      planeBefore === undefined || planeAfter === undefined
        ? undefined
        : (planeAfter - planeBefore) / Math.max(1, completed),
    upstreamCpuUsPerRequest: perRequest(2),
    rssPeakMb: rssPeak === undefined ? undefined : rssPeak / 2 ** 20,
    usageDrained,
    windowsUs: [[loadStart, loadEnd]],
  };
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
