import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./child.js";
import { runCommand } from "./command-line.js";
import type { LatencyRow, SaturationRow } from "./sections/http-load.js";

// Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went: the functions with the most
// self time, the same grouped by package or by our folder, and our own functions by inclusive time.
// With a run's results.json, only the samples taken while that contender was under saturation load
// (or, with --section latency, in its paced rounds) count (the profile's clock is CLOCK_MONOTONIC, as
// the bench's), so startup, warm-up and idle gaps drop out.
// Usage: node --import ./bin/ts-loader.js bench/profile-summary.ts FILE.cpuprofile [--top N] [--results FILE --contender NAME [--workload NAME] [--section saturation|latency]]

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs before each sample (the first from startTime). */
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idlePercent: number;
  selfTop: Entry[];
  byGroup: Entry[];
  ownInclusive: Entry[];
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);
const OWN_FOLDERS = ["dataplane/", "controlplane/", "common/", "gen/", "cli/"];

/**
 * A file's path in the repository. Tollgate's processes run a build of the sources (bin/build.js:
 * .build/<version>/dataplane/...js), shown under the folder its source is in.
 */
function repoPath(url: string, root: string): string {
  return relative(root, url).replace(/^\.build\/[^/]+\//, "");
}

/** A frame's file as a path (file:// dropped); node:, wasm: and native frames keep their names. */
function framePath(frame: CallFrame): string {
  return frame.url.replace(/^file:\/\//, "");
}

function location(frame: CallFrame, root: string): string {
  const url = framePath(frame);
  if (url === "") return "";
  const path = url.startsWith("/") ? repoPath(url, root) : url;
  return `${path}:${frame.lineNumber + 1}`;
}

export function label(frame: CallFrame, root: string): string {
  const where = location(frame, root);
  return `${frame.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
}

/** node internals, a package from node_modules, one of our folders, or V8's own buckets. */
export function groupOf(frame: CallFrame, root: string): string {
  if (SPECIAL.has(frame.functionName) && frame.url === "") return frame.functionName;
  const url = framePath(frame);
  if (url.startsWith("node:") || url === "") return url === "" ? "(native/builtin)" : "node internals";
  const modules = url.lastIndexOf("node_modules/");
  if (modules !== -1) {
    const parts = url.slice(modules + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const path = repoPath(url, root);
  const own = OWN_FOLDERS.find((folder) => path.startsWith(folder));
  if (!own) return path;
  const segments = path.split("/");
  return segments.length > 2 ? `${segments[0]}/${segments[1]}/` : `${segments[0]}/`;
}

function top(totals: Map<string, number>, busy: number, perSample: number, count: number): Entry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, ms: hits * perSample, percent: (100 * hits) / busy }));
}

/** Sample ids taken inside any of the windows (µs, the profile's clock); all of them without windows. */
export function samplesWithin(
  profile: CpuProfile,
  windows: ReadonlyArray<readonly [number, number]> | undefined,
): number[] {
  if (!windows) return profile.samples;
  const kept: number[] = [];
  let at = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    at += profile.timeDeltas[i] ?? 0;
    if (windows.some(([from, to]) => at >= from && at <= to)) kept.push(id);
  }
  return kept;
}

export function summarizeProfile(
  profile: CpuProfile,
  root: string,
  count = 15,
  windows?: ReadonlyArray<readonly [number, number]>,
): ProfileSummary {
  const samples = samplesWithin(profile, windows);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  for (const id of samples) hits.set(id, (hits.get(id) ?? 0) + 1);

  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, n] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === "(idle)") {
      idle += n;
      continue;
    }
    const name = label(node.callFrame, root);
    self.set(name, (self.get(name) ?? 0) + n);
    const group = groupOf(node.callFrame, root);
    groups.set(group, (groups.get(group) ?? 0) + n);
    // Each of our functions on the stack counts once per sample, recursion or not.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || !OWN_FOLDERS.some((f) => repoPath(framePath(frame), root).startsWith(f))) continue;
      const own = label(frame, root);
      if (!seen.has(own)) inclusive.set(own, (inclusive.get(own) ?? 0) + n);
      seen.add(own);
    }
  }
  const perSample =
    profile.samples.length > 0 ? (profile.endTime - profile.startTime) / 1000 / profile.samples.length : 0;
  const busy = Math.max(1, samples.length - idle);
  return {
    wallMs: samples.length * perSample,
    busyMs: busy * perSample,
    idlePercent: (100 * idle) / Math.max(1, samples.length),
    selfTop: top(self, busy, perSample, count),
    byGroup: top(groups, busy, perSample, count),
    ownInclusive: top(inclusive, busy, perSample, count),
  };
}

function print(title: string, entries: Entry[]): string {
  const lines = entries.map(
    (e) => `  ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}`,
  );
  return `${title}\n${lines.join("\n")}\n`;
}

const USAGE =
  "usage: profile-summary FILE.cpuprofile [--top N] [--results results.json --contender NAME [--workload NAME] [--section saturation|latency]]";

/** The command line: the summary's text, or throws an Error whose message is for the user. */
export function summaryCommand(args: readonly string[]): string {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      top: { type: "string", default: "20" },
      results: { type: "string" },
      contender: { type: "string" },
      workload: { type: "string" },
      section: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return `${USAGE}\n`;
  const [file] = positionals;
  if (!file) throw new Error("name a .cpuprofile file");
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new Error(`--top: a whole number of 1 or more, not ${values.top}`);
  const section = values.section ?? "saturation";
  if (section !== "saturation" && section !== "latency") {
    throw new Error(`--section: saturation or latency, not ${section}`);
  }
  if (!values.results && (values.contender ?? values.workload ?? values.section) !== undefined) {
    throw new Error("--contender, --workload and --section pick rounds of a run: name its results.json with --results");
  }
  let windows: Array<[number, number]> | undefined;
  if (values.results) {
    // Rows as results.json holds them; a run from before the paced windows were recorded has none.
    type Row = Pick<LatencyRow | SaturationRow, "contender" | "workload"> &
      Partial<Pick<LatencyRow | SaturationRow, "windowsUs">>;
    const results = JSON.parse(readFileSync(values.results, "utf8")) as Record<typeof section, Row[] | undefined>;
    const contender = values.contender ?? "dataplane";
    const rows = (results[section] ?? [])
      .filter((r) => r.contender === contender)
      .filter((r) => values.workload === undefined || r.workload === values.workload);
    const subject = `contender ${contender}${values.workload ? ` on workload ${values.workload}` : ""}`;
    if (rows.length === 0) throw new Error(`${values.results} has no ${section} round of ${subject}`);
    windows = rows.flatMap((r) => r.windowsUs ?? []);
    if (windows.length === 0) {
      throw new Error(
        `${values.results}'s ${section} rounds of ${subject} say nothing of when they ran (a run from before the bench recorded it)`,
      );
    }
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const summary = summarizeProfile(profile, REPO_ROOT, top, windows);
  return (
    `${file}: ${summary.wallMs.toFixed(0)} ms ${windows ? "under load" : "profiled"}, ${summary.busyMs.toFixed(0)} ms busy (${summary.idlePercent.toFixed(1)}% idle)\n\n` +
    `${print("self time, top functions (% of busy samples)", summary.selfTop)}\n` +
    `${print("self time by package or folder", summary.byGroup)}\n` +
    `${print("our code, inclusive time", summary.ownInclusive)}`
  );
}

if (process.argv[1] && import.meta.filename === process.argv[1]) runCommand("profile-summary", USAGE, summaryCommand);
