import { processCpuMicros, processRssBytes } from "./proc.js";

// Process-level measurements around a load run: CPU time over the run (and the work it left behind,
// such as usage still being reported), and the peak resident memory while it ran.

/** Samples VmRSS every interval until stopped; returns the peak in bytes. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let peak = processRssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, processRssBytes(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, processRssBytes(pid));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a log line and the report's errors column say that a run's usage backlog did not drain in time. */
export const UNDRAINED = "usage backlog not drained";

/**
 * Waits until a contender has finished the work a run left (usage backlog drained), then until its
 * processes are quiet (at most one 10 ms clock tick of CPU in 200 ms). Returns whether the backlog drained in time.
 */
export async function settle(
  pids: readonly number[],
  backlog: () => Promise<number>,
  timeoutMs = 60_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let drained = false;
  while (Date.now() < deadline) {
    if ((await backlog().catch(() => 0)) === 0) {
      drained = true;
      break;
    }
    await sleep(50);
  }
  const quietBy = Date.now() + 5_000;
  while (Date.now() < quietBy) {
    const before = pids.map(processCpuMicros);
    await sleep(200);
    const after = pids.map(processCpuMicros);
    const busiest = Math.max(0, ...after.map((value, i) => value - (before[i] ?? 0)));
    if (busiest <= 10_000) break;
  }
  return drained;
}
