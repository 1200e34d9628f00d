import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DEFAULT_MAX_BATCH } from "../dataplane/sync/usage-reporter.js";
import { calibrate, calibrationLine } from "./calibration.js";
import { loadCapturedRequest } from "./capture-body.js";
import { REPO_ROOT } from "./child.js";
import { codeVersion } from "./code-version.js";
import { type Environment, startEnvironment } from "./contenders.js";
import { cpuSplit, describeSplit, pinProcess } from "./cpu-pinning.js";
import { exitWhenInterrupted, runWorkDir } from "./interrupt.js";
import { describeMachine, machineLine } from "./machine.js";
import { type BenchOptions, parseBenchArgs, USAGE } from "./options.js";
import { renderReport } from "./report.js";
import { type BenchResults, emptyResults } from "./results.js";
import { runHttpLoad } from "./sections/http-load.js";
import { runPropagation } from "./sections/propagation.js";
import { runSessionIdentity } from "./sections/session-identity.js";
import { runSlowStreams } from "./sections/slow-streams.js";
import { runUsageIngest } from "./sections/usage-ingest.js";
import { runUsageStats } from "./sections/usage-stats.js";
import { checkTargets } from "./targets.js";
import { buildWorkloads } from "./workloads.js";

// `npm run bench`: every contender and section in one sitting, each run bounded in time; progress on
// stderr, the markdown report on stdout, report.md and results.json in the results folder.

const CAPTURE = join(REPO_ROOT, "../shared/captures/claude-code-1.json");

const FULL = {
  http: {
    // Warmed for 1 s only, all-in-one's first two saturation rounds cost 2-4 and 1.5-2 times its later
    // ones per request, at a third of their throughput: its PGlite and control plane warm up slowly.
    firstWarmupSec: 20,
    warmupSec: 1,
    latencySec: 3,
    latencyRounds: 3,
    saturationSec: 4,
    saturationRounds: 3,
    rate: 500,
    largeRate: 100,
    pacedConnections: 10,
    saturationConnections: 32,
  },
  slow: { streams: 1000, rampMs: 1000, chunks: 40, chunkDelayMs: 100, rounds: 3 },
  ingest: { durationMs: 5000, streams: [1, 4], batchSize: DEFAULT_MAX_BATCH, window: 16, tenants: 20 },
  propagation: { keys: 10_000, keysViaAdminApi: 200, changes: 100, createConcurrency: 8 },
  stats: { rows: 1_000_000 },
  deadlineMs: 30 * 60_000,
};
const QUICK: typeof FULL = {
  http: { ...FULL.http, firstWarmupSec: 1, latencySec: 1, latencyRounds: 1, saturationSec: 1, saturationRounds: 1 },
  slow: { streams: 100, rampMs: 200, chunks: 10, chunkDelayMs: 50, rounds: 1 },
  ingest: { ...FULL.ingest, durationMs: 1500, streams: [1], tenants: 3 },
  propagation: { keys: 500, keysViaAdminApi: 20, changes: 10, createConcurrency: 4 },
  stats: { rows: 20_000 },
  deadlineMs: 5 * 60_000,
};

/** The run's settings with `rounds` latency and saturation rounds, the deadline stretched to match. */
function withRounds(base: typeof FULL, rounds: number | undefined): typeof FULL {
  if (rounds === undefined) return base;
  const stretch = Math.max(1, rounds / base.http.latencyRounds);
  return {
    ...base,
    http: { ...base.http, latencyRounds: rounds, saturationRounds: rounds },
    deadlineMs: Math.ceil(base.deadlineMs * stretch),
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseBenchArgs(process.argv.slice(2), join(REPO_ROOT, "bench/results"));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const settings = withRounds(options.quick ? QUICK : FULL, options.rounds);
  const chosenWorkloads = options.workloads;
  const deadline = setTimeout(() => {
    log(`bench: still running after ${settings.deadlineMs / 60_000} minutes; stopping`);
    process.exit(3);
  }, settings.deadlineMs);
  deadline.unref();

  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const runDir = join(options.outDir, stamp);
  const logDir = join(runDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const work = runWorkDir();
  const workDir = work.dir;
  const machine = describeMachine();
  log(`bench: ${machineLine(machine)}`);
  log(`bench: sections ${options.sections.join(", ")}; logs in ${logDir}`);

  const has = (section: string) => options.sections.includes(section as (typeof options.sections)[number]);
  const results: BenchResults = emptyResults({
    startedAt: new Date().toISOString(),
    machine,
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    code: codeVersion(REPO_ROOT),
    baseline: options.baseline ? { dir: options.baseline, code: codeVersion(options.baseline) } : undefined,
    quick: options.quick,
    cpuProfiled: options.cpuProf,
    nodeFlags: options.nodeFlags,
    sections: options.sections,
  });

  // A section that fails is reported as failed; the others still run and the report is still written.
  const attempt = async (section: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.sectionErrors.push({ section, error: message });
      log(`bench: ${section} FAILED: ${message}`);
    }
  };
  // The machine's speed before anything is started, and again once everything has stopped.
  const calibrationText = JSON.stringify(loadCapturedRequest(CAPTURE).body);
  results.calibration.start = await calibrate(calibrationText, options.quick);
  log(`bench: ${calibrationLine(results.calibration.start, undefined)}`);
  try {
    // First, while nothing else runs: the in-process microbenchmark.
    if (has("session-identity")) {
      log("bench: session identity");
      await attempt("session-identity", async () => {
        results.sessionIdentity = await runSessionIdentity(CAPTURE, options.quick);
      });
    }
    if (has("latency") || has("saturation") || has("slow-streams")) {
      log("bench: starting contenders");
      // This process and every child it starts from here on (upstream-sim, the control plane, wrk, the
      // stream client) run on the load CPUs; each proxy is moved to its own CPU once started.
      const split = options.unpinned ? undefined : cpuSplit(availableParallelism());
      const pinned = split !== undefined && pinProcess(process.pid, split.load);
      if (split && !pinned) log("bench: could not pin CPUs (is taskset installed?); running unpinned");
      results.pinning = pinned ? describeSplit(split) : undefined;
      if (results.pinning) log(`bench: ${results.pinning}`);
      await attempt("contenders", async () => {
        const env = await startEnvironment({
          contenders: options.contenders,
          baselineDir: options.baseline,
          slowStreams: has("slow-streams") ? settings.slow : undefined,
          cpuProfDir: options.cpuProf ? join(runDir, "profiles") : undefined,
          nodeFlags: options.nodeFlags,
          proxyCpus: pinned ? split.proxy : undefined,
          logDir,
          workDir,
        });
        try {
          await runAgainstContenders(env, () => {
            // Pinned, the direct calls would run upstream-sim and the stream client on one CPU: a
            // baseline slower than what the proxies get, so the slow streams run unpinned.
            if (!pinned) return;
            env.spread(split.all);
            pinProcess(process.pid, split.all);
            results.pinning = `${describeSplit(split)}; slow streams unpinned`;
          });
        } finally {
          const lowered = env.lowered();
          if (lowered && results.pinning) results.pinning += `; ${lowered}`;
          await env.close();
        }
      });
      // The sections after this one measure the control plane and PostgreSQL: every CPU again.
      if (pinned) pinProcess(process.pid, split.all);
    }
    if (has("usage-ingest")) {
      log("bench: usage ingest");
      await attempt("usage-ingest", async () => {
        results.usageIngest = await runUsageIngest(
          settings.ingest,
          logDir,
          workDir,
          options.cpuProf ? join(runDir, "profiles", "controlplane-ingest") : undefined,
        );
        for (const row of results.usageIngest) {
          log(`  ${row.streams} stream(s): ${row.recordsPerSec.toFixed(0)} records/s`);
        }
      });
    }
    if (has("usage-stats")) {
      log(`bench: GetUsageStats over ${settings.stats.rows} usage logs`);
      await attempt("usage-stats", async () => {
        results.usageStats = await runUsageStats(settings.stats, logDir, workDir, log);
      });
    }
    if (has("propagation")) {
      log("bench: config propagation");
      await attempt("propagation", async () => {
        results.propagation = await runPropagation(settings.propagation, logDir, workDir, log);
      });
    }
  } finally {
    await work.remove();
  }

  async function runAgainstContenders(env: Environment, unpin: () => void): Promise<void> {
    results.contenders = env.contenders.map((c) => c.name);
    results.pending = env.pending;
    for (const p of env.pending) log(`bench: ${p.name} pending: ${p.reason}`);
    const workloads = buildWorkloads(CAPTURE);
    if (has("latency") || has("saturation")) {
      log("bench: latency and saturation");
      await attempt("latency/saturation", async () => {
        const load = await runHttpLoad(
          env.contenders,
          workloads.filter((w) => chosenWorkloads.includes(w.name)),
          env.upstreamPids.fast,
          { ...settings.http, latency: has("latency"), saturation: has("saturation") },
          workDir,
          log,
        );
        Object.assign(results, load);
      });
    }
    if (has("slow-streams")) {
      unpin();
      log(`bench: ${settings.slow.streams} concurrent slow streams`);
      await attempt("slow-streams", async () => {
        const stream = workloads.find((w) => w.name === "anthropic-stream");
        if (!stream) throw new Error("no anthropic-stream workload");
        results.slowStreams = await runSlowStreams(env.contenders, stream, settings.slow, workDir, log);
      });
    }
  }

  results.calibration.end = await calibrate(calibrationText, options.quick);
  log(`bench: ${calibrationLine(results.calibration.start, results.calibration.end)}`);
  results.finishedAt = new Date().toISOString();
  const checks = checkTargets(results);
  const report = renderReport(results, checks);
  writeFileSync(join(runDir, "report.md"), report);
  writeFileSync(join(runDir, "results.json"), `${JSON.stringify({ ...results, targets: checks }, null, 2)}\n`);
  process.stdout.write(report);
  log(`bench: report.md and results.json in ${runDir}`);
  return results.sectionErrors.length === 0 ? 0 : 1;
}

exitWhenInterrupted();
process.exitCode = await main().catch((error: unknown) => {
  log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
});
