// A preload that says what a process's garbage collections cost per HTTP request it serves, and how
// many bytes per request reach the old generation (promoted by scavenges, or allocated there directly
// by V8's pretenuring): what outlives a scavenge is what makes scavenges slow and mark-compacts come,
// and unlike throughput it holds still while the machine drifts. Once the process has served 5,000
// requests (past warm-up) it watches V8's GCProfiler for 5 s and writes one line to stderr:
//   gc-profile: 19611 requests; scavenges 54, 5.38 µs/req; mark-compacts 2, 0.84 µs/req; other 2, 0.04 µs/req;
//   into the old generation 958 B/req (promoted 509, allocated there 449)
// Pause times only: with --single-threaded-gc the incremental marking steps before a mark-compact run
// on the main thread too and are not in them. Usage (JavaScript, so it loads before the TypeScript loader):
//   NODE_OPTIONS=--import=./bench/gc-profile.js npm run bench -- --only saturation --workloads anthropic-stream --contenders floor,dataplane
// then read the line in each contender's log (bench/results/<run>/logs/<name>.log). GC_PROFILE_AFTER
// and GC_PROFILE_MS change the two thresholds for a process started by hand.
import { subscribe } from "node:diagnostics_channel";
import { GCProfiler } from "node:v8";

const after = Number(process.env.GC_PROFILE_AFTER ?? 5000);
const durationMs = Number(process.env.GC_PROFILE_MS ?? 5000);

let requests = 0;
let startedAt;
const profiler = new GCProfiler();

subscribe("http.server.request.start", () => {
  requests++;
  if (startedAt !== undefined || requests < after) return;
  startedAt = requests;
  profiler.start();
  setTimeout(() => {
    const { statistics } = profiler.stop();
    process.stderr.write(`gc-profile: ${describe(summarize(statistics, requests - startedAt))}\n`);
  }, durationMs).unref();
});

const oldSpace = (heap) =>
  heap.heapSpaceStatistics.find((space) => space.spaceName === "old_space")?.spaceUsedSize ?? 0;

/** Per request: each kind's count and pause, and the bytes that reached the old space. */
function summarize(statistics, requestCount) {
  const kinds = { scavenge: { count: 0, us: 0 }, markCompact: { count: 0, us: 0 }, other: { count: 0, us: 0 } };
  let promoted = 0;
  let allocatedOld = 0;
  let previous;
  for (const gc of statistics) {
    // Between two collections the old space grows only by what is allocated in it directly.
    if (previous) allocatedOld += Math.max(0, oldSpace(gc.beforeGC) - oldSpace(previous.afterGC));
    const kind = gc.gcType === "Scavenge" ? "scavenge" : gc.gcType === "MarkSweepCompact" ? "markCompact" : "other";
    kinds[kind].count++;
    kinds[kind].us += gc.cost;
    if (kind === "scavenge") promoted += Math.max(0, oldSpace(gc.afterGC) - oldSpace(gc.beforeGC));
    previous = gc;
  }
  const per = (value) => (requestCount > 0 ? value / requestCount : 0);
  return {
    requests: requestCount,
    scavenges: { count: kinds.scavenge.count, usPerRequest: per(kinds.scavenge.us) },
    markCompacts: { count: kinds.markCompact.count, usPerRequest: per(kinds.markCompact.us) },
    other: { count: kinds.other.count, usPerRequest: per(kinds.other.us) },
    promotedBytesPerRequest: per(promoted),
    oldAllocatedBytesPerRequest: per(allocatedOld),
  };
}

function describe(s) {
  const kind = (name, k) => `${name} ${k.count}, ${k.usPerRequest.toFixed(2)} µs/req`;
  const promoted = Math.round(s.promotedBytesPerRequest);
  const allocated = Math.round(s.oldAllocatedBytesPerRequest);
  return `${s.requests} requests; ${kind("scavenges", s.scavenges)}; ${kind("mark-compacts", s.markCompacts)}; ${kind("other", s.other)}; into the old generation ${promoted + allocated} B/req (promoted ${promoted}, allocated there ${allocated})`;
}
