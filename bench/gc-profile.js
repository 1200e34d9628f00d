// A preload that says what a process's garbage collections cost per HTTP request it serves, and how
// many bytes per request reach the old generation (promoted by scavenges, or allocated there directly,
// as V8 does for allocation sites it has pretenured): what outlives a scavenge is what makes scavenges slow and mark-compacts come,
// and unlike throughput it holds still while the machine drifts. Once the process has served 5,000
// requests (past warm-up) it watches V8's GCProfiler for 5 s and writes one line to stderr:
//   gc-profile: 19611 requests; scavenges 54, 5.38 µs/req; mark-compacts 2, 0.84 µs/req; other 2, 0.04 µs/req;
//   into the old generation 958 B/req (promoted 509, allocated there 449)
// Pause times only: with --single-threaded-gc the incremental marking steps before a mark-compact run
// on the main thread too and are not in them. Usage (JavaScript, so it loads before the TypeScript loader):
//   NODE_OPTIONS=--import=./bench/gc-profile.js npm run bench -- --only saturation --workloads anthropic-stream --contenders floor,dataplane
// then read the line in each contender's log (bench/results/<run>/logs/<name>.log). GC_PROFILE_AFTER
// and GC_PROFILE_MS change the two thresholds for a process started by hand.
import { GCProfiler } from "node:v8";
import { onRequestWindow } from "./request-window.js";

const profiler = new GCProfiler();

onRequestWindow(
  { after: Number(process.env.GC_PROFILE_AFTER ?? 5000), durationMs: Number(process.env.GC_PROFILE_MS ?? 5000) },
  () => profiler.start(),
  (requests) => process.stderr.write(`gc-profile: ${summary(profiler.stop().statistics, requests)}\n`),
);

const oldSpace = (heap) =>
  heap.heapSpaceStatistics.find((space) => space.spaceName === "old_space")?.spaceUsedSize ?? 0;

/** Per request: each kind's count and pause, and the bytes that reached the old space. */
function summary(statistics, requests) {
  const kinds = { scavenges: { count: 0, us: 0 }, "mark-compacts": { count: 0, us: 0 }, other: { count: 0, us: 0 } };
  let promoted = 0;
  let allocated = 0;
  let previous;
  for (const gc of statistics) {
    // Between two collections the old space grows only by what is allocated in it directly.
    if (previous) allocated += Math.max(0, oldSpace(gc.beforeGC) - oldSpace(previous.afterGC));
    const kind = gc.gcType === "Scavenge" ? "scavenges" : gc.gcType === "MarkSweepCompact" ? "mark-compacts" : "other";
    kinds[kind].count++;
    kinds[kind].us += gc.cost;
    if (gc.gcType === "Scavenge") promoted += Math.max(0, oldSpace(gc.afterGC) - oldSpace(gc.beforeGC));
    previous = gc;
  }
  const per = (value) => (requests > 0 ? value / requests : 0);
  const pauses = Object.entries(kinds).map(([name, { count, us }]) => `${name} ${count}, ${per(us).toFixed(2)} µs/req`);
  const promotedPer = Math.round(per(promoted));
  const allocatedPer = Math.round(per(allocated));
  return `${requests} requests; ${pauses.join("; ")}; into the old generation ${promotedPer + allocatedPer} B/req (promoted ${promotedPer}, allocated there ${allocatedPer})`;
}
