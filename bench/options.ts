import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CONTENDER_NAMES, type ContenderName, OPTIONAL_CONTENDER_NAMES } from "./contenders.js";

// `npm run bench -- [options]`: which sections, workloads and contenders to run, and how long.

export const SECTIONS = [
  "session-identity",
  "latency",
  "saturation",
  "slow-streams",
  "usage-ingest",
  "usage-stats",
  "propagation",
] as const;
export type Section = (typeof SECTIONS)[number];
export const WORKLOAD_NAMES = [
  "anthropic",
  "anthropic-stream",
  "openai-stream",
  "anthropic-new-session",
  "anthropic-76k",
  "anthropic-stream-76k",
  "openai-stream-76k",
] as const;

export interface BenchOptions {
  quick: boolean;
  sections: Section[];
  workloads: string[];
  contenders: ContenderName[];
  /** Run the measured processes (Tollgate's and the floor) under `node --cpu-prof` (their CPU numbers are then inflated). */
  cpuProf: boolean;
  /** More node/V8 flags for the measured processes, `{name}` standing for the contender's name. */
  nodeFlags: string[];
  /** Leave the proxy and its load where the scheduler puts them (cpu-pinning.ts). */
  unpinned: boolean;
  /** Latency and saturation rounds per contender and workload (undefined: the run's default). */
  rounds: number | undefined;
  /** Another checkout whose data plane runs beside this one's as the "baseline" contender. */
  baseline: string | undefined;
  outDir: string;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only SECTIONS] [--workloads NAMES] [--contenders NAMES] [--cpu-prof] [--node-flags=FLAGS] [--unpinned] [--rounds N] [--baseline DIR] [--out DIR]

  --quick            a short smoke run (seconds per measurement instead of the full durations)
  --only             comma-separated sections: ${SECTIONS.join(", ")}
  --workloads        comma-separated: ${WORKLOAD_NAMES.join(", ")}
  --contenders       comma-separated: ${CONTENDER_NAMES.join(", ")} (all by default), or ${OPTIONAL_CONTENDER_NAMES.join(", ")}
                     (only when named: the floor on node:http's keep-alive Agent instead of an undici pool)
  --cpu-prof         run Tollgate's processes and the floor under node --cpu-prof (profiles/<contender>/ in the results folder)
  --node-flags=F     more node/V8 flags for the measured proxies (floor, data planes, all-in-one), {name} in
                     a flag standing for the contender's name, a flag's value joined to it with =; e.g. V8's
                     deopts, timed:
                     --node-flags="--log-deopt --logfile=/tmp/v8-{name}.log --no-logfile-per-isolate"
  --unpinned         do not give the measured proxy a CPU of its own (it is, on 2 CPUs or more)
  --rounds N         latency and saturation rounds per contender and workload (default 3, 1 with --quick):
                     more rounds narrow a median that sits near a target, at N x the sections' time
  --baseline DIR     also run the data plane of the checkout in DIR (a git worktree with node_modules), in
                     memory on the same control plane, as contender "baseline": an A/B in one sitting
  --out DIR          where results go (default bench/results)
`;

function pick<T extends string>(
  flag: string,
  text: string | undefined,
  standard: readonly T[],
  optional: readonly T[] = [],
): T[] {
  if (text === undefined) return [...standard];
  const allowed = [...standard, ...optional];
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`${flag}: unknown ${unknown.join(", ")} (choose from ${allowed.join(", ")})`);
  if (names.length === 0) throw new Error(`${flag}: name at least one of ${allowed.join(", ")}`);
  // Keep the canonical order whatever order they were named in.
  return allowed.filter((name) => names.includes(name));
}

export function parseBenchArgs(args: readonly string[], defaultOutDir: string): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      workloads: { type: "string" },
      contenders: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
      "node-flags": { type: "string" },
      unpinned: { type: "boolean", default: false },
      rounds: { type: "string" },
      baseline: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  return {
    quick: values.quick ?? false,
    sections: pick("--only", values.only, SECTIONS),
    workloads: pick("--workloads", values.workloads, WORKLOAD_NAMES),
    contenders: pick("--contenders", values.contenders, CONTENDER_NAMES, OPTIONAL_CONTENDER_NAMES),
    cpuProf: values["cpu-prof"] ?? false,
    nodeFlags: values["node-flags"] === undefined ? [] : nodeFlags(values["node-flags"]),
    unpinned: values.unpinned ?? false,
    rounds: values.rounds === undefined ? undefined : roundCount(values.rounds),
    baseline: values.baseline === undefined ? undefined : checkout(values.baseline),
    outDir: values.out ?? defaultOutDir,
  };
}

function nodeFlags(text: string): string[] {
  const flags = text.split(/\s+/).filter((flag) => flag !== "");
  const stray = flags.filter((flag) => !flag.startsWith("--"));
  if (flags.length === 0 || stray.length > 0) {
    throw new Error(
      `--node-flags: expected flags starting with -- (a value joined with =), got ${JSON.stringify(text)}`,
    );
  }
  return flags;
}

function roundCount(text: string): number {
  const rounds = Number(text);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    throw new Error(`--rounds: expected a whole number from 1 to 50, got ${JSON.stringify(text)}`);
  }
  return rounds;
}

function checkout(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(join(root, "bin/tollgate.js")) || !existsSync(join(root, "node_modules"))) {
    throw new Error(`--baseline: ${root} is not a Tollgate checkout with node_modules (bin/tollgate.js, node_modules)`);
  }
  return root;
}
